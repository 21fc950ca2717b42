#pragma once
// peer_name: the remote address of a connected socket, through the ring.
//
// A connection accepted into a direct descriptor has no fd that getpeername(2) could
// take, so this asks the kernel with IORING_OP_URING_CMD (SOCKET_URING_OP_GETSOCKOPT,
// SOL_SOCKET/SO_PEERNAME, Linux 6.7+), which works on direct and plain descriptors
// alike. Only callers that need the address pay for it (the access log: one request
// per connection).

#include <netinet/in.h>

#include <cstddef>

#include "core/descriptor.hpp"
#include "core/task.hpp"

namespace coring {

struct peer_address {
  sockaddr_in6 storage{};  // large enough for AF_INET and AF_INET6
  bool known = false;

  // "1.2.3.4:5678", "[::1]:5678", or "-" when unknown; returns the length written
  // (out must hold at least 64 bytes).
  std::size_t format(char* out, std::size_t size) const noexcept;
};

// The peer of `socket`; .known is false if the kernel cannot tell (too old, closed).
task<peer_address> peer_name(descriptor socket);

}  // namespace coring
