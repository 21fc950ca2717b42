#include "core/peer_name.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>

#include "core/op.hpp"

namespace coring {
namespace {

// From the kernel's uapi (include/uapi/linux/io_uring.h), absent from older headers.
constexpr std::uint32_t socket_uring_op_getsockopt = 2;

// SO_PEERNAME refuses a buffer longer than the address (EINVAL): ask for the IPv4 size
// first, then the IPv6 one if that is what the socket turns out to hold.
auto get_peer(descriptor socket, sockaddr_in6* out, std::uint32_t length) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_rw(IORING_OP_URING_CMD, s, socket.index, nullptr, 0, 0);
    s->cmd_op = socket_uring_op_getsockopt;
    // The sockopt layout of the SQE: level and optname share `addr`, optlen is
    // `file_index`, optval is `addr3`.
    s->addr =
        static_cast<std::uint64_t>(SOL_SOCKET) | (static_cast<std::uint64_t>(SO_PEERNAME) << 32);
    s->file_index = length;
    s->addr3 = reinterpret_cast<std::uint64_t>(out);
    socket.apply(s);
  });
}

}  // namespace

task<peer_address> peer_name(descriptor socket) {
  peer_address peer;
  io_result r = co_await get_peer(socket, &peer.storage, sizeof(sockaddr_in));
  if (r && peer.storage.sin6_family == AF_INET6) {
    r = co_await get_peer(socket, &peer.storage, sizeof(sockaddr_in6));
  }
  peer.known = static_cast<bool>(r) &&
               (peer.storage.sin6_family == AF_INET || peer.storage.sin6_family == AF_INET6);
  co_return peer;
}

std::size_t peer_address::format(char* out, std::size_t size) const noexcept {
  char host[INET6_ADDRSTRLEN] = "-";
  int n = 0;
  if (known && storage.sin6_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, &storage, sizeof v4);
    inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
    n = std::snprintf(out, size, "%s:%u", host, ntohs(v4.sin_port));
  } else if (known) {
    inet_ntop(AF_INET6, &storage.sin6_addr, host, sizeof host);
    n = std::snprintf(out, size, "[%s]:%u", host, ntohs(storage.sin6_port));
  } else {
    n = std::snprintf(out, size, "-");
  }
  return n > 0 ? std::min(static_cast<std::size_t>(n), size - 1) : 0;
}

}  // namespace coring
