#include "apps/proxy/turn_cork.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/result.hpp"
#include "core/runtime.hpp"
#include "core/socket_option.hpp"

namespace proxy {
namespace {

const int enable = 1;  // read by the kernel when a push SQE is issued

}  // namespace

coring::task<bool> turn_cork::kernel_supports_it() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) co_return false;
  const coring::io_result set = co_await coring::set_socket_option(
      coring::descriptor{fd, false}, IPPROTO_TCP, TCP_NODELAY, &enable);
  ::close(fd);
  co_return static_cast<bool>(set);
}

bool turn_cork::should_hold() const noexcept {
  if (!enabled_) return false;
  const coring::runtime& rt = coring::runtime::current();
  return rt.more_work_this_turn() || last_push_turn_ == rt.turn();
}

void turn_cork::push_later(int fd) {
  coring::runtime& rt = coring::runtime::current();
  // A push is queued before any close of its socket, and closes go through the same
  // ring: it never reaches a reused fd.
  coring::set_socket_option(coring::descriptor{fd, false}, IPPROTO_TCP, TCP_NODELAY, &enable)
      .detach();
  last_push_turn_ = rt.turn();
  ++pushes_;
}

}  // namespace proxy
