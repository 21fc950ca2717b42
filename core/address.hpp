#pragma once
// Socket addresses: parsing "host:port" and making listening/connecting sockets.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace coring {

struct socket_address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const noexcept { return storage.ss_family; }
  std::uint16_t port() const noexcept;
  std::string to_string() const;

  // Numeric IPv4/IPv6 only (no DNS on a server's hot path); throws std::invalid_argument.
  static socket_address parse(std::string_view host, std::uint16_t port);
  // "host:port" or "[v6]:port"; throws std::invalid_argument with a clear message.
  static socket_address parse(std::string_view host_and_port);
};

}  // namespace coring
