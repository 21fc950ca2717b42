#include "http/client_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/io.hpp"

namespace coring::http {
namespace {

// What is left until `deadline`, or nothing (the deadline has passed).
std::chrono::nanoseconds remaining(client_connection::clock::time_point deadline) {
  return deadline - client_connection::clock::now();
}

client_error from_errno(int err) noexcept {
  switch (err) {
    case ETIMEDOUT:
      return client_error::timeout;
    case ECANCELED:
      return client_error::cancelled;
    default:
      return client_error::reset;
  }
}

}  // namespace

client_connection::~client_connection() {
  if (socket_.valid()) ::close(socket_.index);
}

task<client_error> client_connection::open(const socket_address& address,
                                           clock::time_point deadline) {
  const int fd = ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) co_return client_error::connect_failed;
  socket_ = descriptor{fd, false};
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const auto left = remaining(deadline);
  if (left <= std::chrono::nanoseconds::zero()) co_return client_error::timeout;
  // LIFETIME: `address` is owned by the client, which outlives every request.
  io_result r = co_await connect(socket_, address.get(), address.length).deadline(left);
  if (r) co_return client_error::none;
  switch (r.error()) {
    case ECONNREFUSED:
      co_return client_error::connect_refused;
    case ETIMEDOUT:
      co_return client_error::timeout;
    case ECANCELED:
      co_return client_error::cancelled;
    default:
      co_return client_error::connect_failed;
  }
}

task<client_error> client_connection::round_trip(client_response& out, bool head_request,
                                                 std::size_t max_body, clock::time_point deadline) {
  reusable_ = false;
  stale_ = false;
  parser_.start(out, head_request, max_body);

  // LIFETIME: request_ belongs to this connection, which the caller keeps until we return.
  std::size_t sent = 0;
  while (sent < request_.size()) {
    const auto left = remaining(deadline);
    if (left <= std::chrono::nanoseconds::zero()) co_return client_error::timeout;
    io_result r =
        co_await send(socket_, request_.data() + sent, request_.size() - sent).deadline(left);
    if (!r || r.value == 0) {
      stale_ = r.error() == EPIPE || r.error() == ECONNRESET;
      co_return from_errno(r.error());
    }
    sent += static_cast<std::size_t>(r.value);
  }

  for (;;) {
    const auto left = remaining(deadline);
    if (left <= std::chrono::nanoseconds::zero()) co_return client_error::timeout;
    // LIFETIME: input_ belongs to this connection, alive until the CQE (we await it).
    io_result r = co_await recv(socket_, input_.data(), input_.size()).deadline(left);
    response_parser::outcome o;
    if (r.value > 0) {
      o = parser_.feed({input_.data(), static_cast<std::size_t>(r.value)});
    } else if (r.value == 0 || r.error() == ECONNRESET) {
      stale_ = !parser_.received_any();
      o = parser_.finish();
      if (o == response_parser::outcome::error) co_return client_error::reset;
    } else {
      co_return from_errno(r.error());
    }
    switch (o) {
      case response_parser::outcome::complete:
        // Bytes after the response were never asked for: do not trust this connection.
        reusable_ = r.value > 0 && out.keep_alive &&
                    parser_.consumed() == static_cast<std::size_t>(r.value);
        co_return client_error::none;
      case response_parser::outcome::error:
        co_return client_error::malformed;
      case response_parser::outcome::too_large:
        co_return client_error::too_large;
      case response_parser::outcome::incomplete:
        break;
    }
  }
}

}  // namespace coring::http
