#include "core/listener.hpp"

#include <netinet/tcp.h>
#include <unistd.h>

#include <string>
#include <system_error>

#include "core/op.hpp"
#include "core/runtime.hpp"

namespace coring {
namespace {

// Slots kept free in the direct-descriptor table for accepts already in flight.
constexpr unsigned direct_margin = 64;

// Free slots a multishot direct accept needs. One arming drains the backlog and goes on
// with the connections whose handshakes complete while it drains (the kernel loops until
// the queue is empty), so a full backlog is not the bound: twice one is, in practice,
// since a client cannot complete handshakes faster for long than the accept loop takes
// them. Below it, single-shot accepts take one slot each, checked before each arming.
unsigned multishot_headroom(unsigned burst) { return 2 * burst + direct_margin; }

void set_option(int fd, int level, int name, const socket_address& address) {
  int one = 1;
  if (setsockopt(fd, level, name, &one, sizeof one) != 0) {
    int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "setsockopt on " + address.to_string());
  }
}

// Slots of the direct-descriptor table not in use.
unsigned free_slots(const runtime& rt) {
  const unsigned used = rt.fixed_files_in_use();
  return used < rt.fixed_file_capacity() ? rt.fixed_file_capacity() - used : 0;
}

}  // namespace

listener::listener(const socket_address& address, const listen_options& options)
    : multishot_request(&on_complete),
      want_direct_(options.direct_descriptors),
      burst_(static_cast<unsigned>(options.backlog > 0 ? options.backlog : 0) + 1) {
  fd_ = ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  set_option(fd_, SOL_SOCKET, SO_REUSEADDR, address);
  const bool claim = options.reuse_port && options.claim_port;
  if (options.reuse_port && !claim) set_option(fd_, SOL_SOCKET, SO_REUSEPORT, address);
  if (options.no_delay) set_option(fd_, IPPROTO_TCP, TCP_NODELAY, address);
  if (::bind(fd_, address.get(), address.length) != 0) fail_setup("bind", address);
  if (claim) set_option(fd_, SOL_SOCKET, SO_REUSEPORT, address);  // after bind: see claim_port
  if (::listen(fd_, options.backlog) != 0) fail_setup("listen", address);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  socket_address actual;
  actual.storage = bound;
  actual.length = length;
  port_ = actual.port();
  backoff_.on_cqe = &on_backoff_done;
  backoff_.owner = this;
  backoff_delay_ = to_timespec(std::chrono::milliseconds(10));
  queue_.reserve(64);
}

void listener::fail_setup(const char* step, const socket_address& address) {
  const int err = errno;
  ::close(fd_);
  fd_ = -1;
  // "bind 0.0.0.0:8000: Address already in use": the port a second server cannot have.
  throw std::system_error(err, std::generic_category(),
                          std::string(step) + " " + address.to_string());
}

listener::~listener() { close(); }

void listener::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void listener::arm() {
  runtime& rt = runtime::current();
  const unsigned free = free_slots(rt);
  direct_mode_ = want_direct_ && free > direct_margin;
  // A multishot direct accept must have room for what one arming can take.
  multishot_ = !direct_mode_ || free > multishot_headroom(burst_);
  io_uring_sqe* s = rt.sqe();
  if (direct_mode_) {
    // No SOCK_CLOEXEC: a direct descriptor has no fd flags, and the kernel rejects the
    // flag on a direct accept with -EINVAL.
    if (multishot_) {
      io_uring_prep_multishot_accept_direct(s, fd_, nullptr, nullptr, 0);
    } else {
      io_uring_prep_accept_direct(s, fd_, nullptr, nullptr, 0, IORING_FILE_INDEX_ALLOC - 1);
    }
  } else {
    io_uring_prep_multishot_accept(s, fd_, nullptr, nullptr, SOCK_CLOEXEC);
  }
  submitted(s);
  plain_accepts_ = 0;
}

bool listener::ready() {
  if (queue_head_ < queue_.size() || stopping_ || failed_ != 0) return true;
  if (settled()) arm();
  return false;
}

accepted listener::pop() noexcept {
  if (queue_head_ < queue_.size()) {
    accepted a = queue_[queue_head_++];
    if (queue_head_ == queue_.size()) {
      queue_.clear();
      queue_head_ = 0;
    }
    return a;
  }
  return accepted{failed_ != 0 && !stopping_ ? failed_ : ECANCELED, {}};
}

void listener::stop() {
  if (stopping_) return;
  stopping_ = true;
  if (armed()) cancel_request();
  if (backing_off_) submit_cancel(&backoff_);
  wake_owner();
}

void listener::wake_owner() {
  wake(/*result_ready=*/queue_head_ < queue_.size() || stopping_ || failed_ != 0, settled());
}

void listener::on_complete(completion* self, int res, std::uint32_t flags) noexcept {
  auto* me = static_cast<listener*>(self);
  runtime& rt = runtime::current();
  const bool more = me->still_armed(flags);

  if (res >= 0) {
    if (me->direct_mode_) rt.on_fixed_file_opened();
    me->queue_.push_back(accepted{0, descriptor{res, me->direct_mode_}});
    // Too few free slots for a multishot burst → cancel and re-arm (single-shot direct,
    // or plain fds); plenty free again → back to direct.
    const bool table_tight = free_slots(rt) <= multishot_headroom(me->burst_);
    if (more && !me->switching_ && !me->stopping_) {
      const bool go_plain = me->direct_mode_ && table_tight;
      const bool go_direct = !me->direct_mode_ && me->want_direct_ && ++me->plain_accepts_ >= 64 &&
                             rt.fixed_files_in_use() + 2 * direct_margin < rt.fixed_file_capacity();
      if (go_plain || go_direct) {
        me->switching_ = true;
        me->cancel_request();
      }
    }
  }

  if (res >= 0) me->transient_errors_ = 0;
  if (!more && !me->stopping_) me->rearm_after(res);
  me->wake_owner();
}

listener::accept_error listener::classify(int err) noexcept {
  switch (err) {
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case ENOBUFS:
      return accept_error::out_of_fds;
    // accept(2): Linux passes a new connection's pending network errors on as accept()
    // errors; the listener itself is fine, so accept again.
    case ECONNABORTED:
    case EPROTO:
    case EPERM:  // a firewall rule refused this one connection
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EINTR:
    case EAGAIN:
      return accept_error::one_connection;
    default:  // EINVAL (shut down, not listening), EBADF, ENOTSOCK, ...
      return accept_error::listener_broken;
  }
}

void listener::rearm_after(int res) {
  const accept_error kind = res >= 0 || res == -ECANCELED ? accept_error::none : classify(-res);
  if (kind != accept_error::none) ++runtime::current().stats().accept_errors;
  switch (kind) {
    case accept_error::listener_broken:
      failed_ = -res;  // accept() reports it from now on; nothing is armed again
      return;
    case accept_error::one_connection:
      // Accept again at once; but a persistent error misfiled as transient must not
      // become a hot loop.
      if (++transient_errors_ > max_transient_errors_in_a_row) return back_off();
      break;
    case accept_error::out_of_fds:
      // A full direct table is retried with plain fds (arm() decides); out of plain fds,
      // wait a little instead of spinning.
      if (!direct_mode_) return back_off();
      break;
    case accept_error::none:
      break;
  }
  switching_ = false;
  arm();
}

void listener::back_off() {
  runtime& rt = runtime::current();
  ++rt.stats().accept_backoffs;
  transient_errors_ = 0;
  backing_off_ = true;
  io_uring_sqe* s = rt.sqe();
  io_uring_prep_timeout(s, &backoff_delay_, 0, 0);
  io_uring_sqe_set_data(s, static_cast<completion*>(&backoff_));
}

void listener::on_backoff_done(completion* self, int, std::uint32_t) noexcept {
  listener* me = static_cast<backoff_timer*>(self)->owner;
  me->backing_off_ = false;
  if (!me->stopping_ && !me->armed()) me->arm();
  me->wake_owner();
}

}  // namespace coring
