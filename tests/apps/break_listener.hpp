#pragma once
// break_listening_sockets: breaks a server process's listening socket from outside, to
// test how it copes: takes a copy of each of its listening sockets on `port` through
// pidfd_getfd(2) and shuts it down, so the process's pending accept fails (EINVAL).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace coring::test {

// Returns how many listening sockets it shut down.
inline int break_listening_sockets(pid_t pid, std::uint16_t port) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return 0;
  int broken = 0;
  const std::string fds = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(fds)) {
    const int target = std::stoi(entry.path().filename().string());
    const int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, target, 0));
    if (fd < 0) continue;
    int listening = 0;
    socklen_t length = sizeof listening;
    sockaddr_in local{};
    socklen_t local_length = sizeof local;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening != 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0 &&
        ntohs(local.sin_port) == port && ::shutdown(fd, SHUT_RDWR) == 0) {
      ++broken;
    }
    ::close(fd);
  }
  ::close(pidfd);
  return broken;
}

}  // namespace coring::test
