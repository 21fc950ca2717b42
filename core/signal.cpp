#include "core/signal.hpp"

#include <pthread.h>
#include <unistd.h>

#include <system_error>

#include "core/file.hpp"

namespace coring {

signal_set::signal_set(std::initializer_list<int> signals) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : signals) sigaddset(&mask, s);
  if (int rc = pthread_sigmask(SIG_BLOCK, &mask, nullptr); rc != 0) {
    throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
  }
  fd_ = signalfd(-1, &mask, SFD_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
}

signal_set::~signal_set() {
  if (fd_ >= 0) ::close(fd_);
}

task<int> signal_set::wait() {
  io_result r = co_await read_file(fd_, &info_, sizeof info_, static_cast<std::uint64_t>(-1));
  if (!r) co_return r.value;
  co_return static_cast<int>(info_.ssi_signo);
}

}  // namespace coring
