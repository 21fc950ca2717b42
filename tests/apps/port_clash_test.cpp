// A port already served is refused: a second process of our own, or any foreign
// listener (even one that allows sharing with SO_REUSEPORT), makes an app exit 1 with
// "address already in use" and the port — only the threads of one process share it.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/apps/server_process.hpp"

namespace coring::test {
namespace {

using namespace std::chrono_literals;

struct exit_result {
  int code = -1;  // -1: still running after the limit (then killed)
  std::string err;
};

// Runs CORING_BIN_DIR/<app> to its exit (at most `limit`), keeping its stderr.
exit_result run_to_exit(const std::string& app, std::vector<std::string> args,
                        std::chrono::milliseconds limit = 10s) {
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  const std::string path = std::string(CORING_BIN_DIR) + "/" + app;
  args.insert(args.begin(), path);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(err[1], STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::execv(path.c_str(), argv.data());
    _exit(127);
  }
  ::close(err[1]);
  exit_result r;
  const auto until = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ::close(err[0]);
      return r;
    }
    std::this_thread::sleep_for(5ms);
  }
  char buf[4096];
  ssize_t n;
  while ((n = ::read(err[0], buf, sizeof buf)) > 0) r.err.append(buf, static_cast<std::size_t>(n));
  ::close(err[0]);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Starting `app` on `port` must fail: exit 1, the message names the port and the cause.
void expect_refused(const std::string& app, std::uint16_t port, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--port", std::to_string(port), "--threads", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  const exit_result r = run_to_exit(app, args);
  EXPECT_EQ(r.code, 1) << app << " on port " << port << ": " << r.err;
  EXPECT_NE(lower(r.err).find("address already in use"), std::string::npos) << app << ": " << r.err;
  EXPECT_NE(r.err.find(":" + std::to_string(port)), std::string::npos) << app << ": " << r.err;
}

const std::vector<std::string> proxy_flags = {"--upstream", "127.0.0.1:9"};

TEST(PortClash, ASecondProcessOnAServedPortExitsOne) {
  server_process hello("hello", {"--port", "0", "--threads", "2"});
  expect_refused("hello", hello.port(), {});
  expect_refused("kv", hello.port(), {});  // another app: it would split the port too
  expect_refused("proxy", hello.port(), proxy_flags);

  server_process proxy("proxy", {"--port", "0", "--threads", "2", "--upstream", "127.0.0.1:9"});
  expect_refused("proxy", proxy.port(), proxy_flags);
  expect_refused("user", proxy.port(), {});
}

// A foreign server that itself allows sharing (SO_REUSEPORT, the same user): the case
// the kernel would otherwise let us join.
TEST(PortClash, AForeignSharingListenerIsNotJoined) {
  const int foreign = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ASSERT_EQ(::setsockopt(foreign, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
  ASSERT_EQ(::setsockopt(foreign, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one), 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(foreign, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(foreign, 16), 0);
  socklen_t len = sizeof a;
  ::getsockname(foreign, reinterpret_cast<sockaddr*>(&a), &len);
  const std::uint16_t port = ntohs(a.sin_port);
  for (const char* app : {"hello", "kv", "user"})
    expect_refused(app, port, {"--host", "127.0.0.1"});
  std::vector<std::string> proxy_on_loopback = proxy_flags;
  proxy_on_loopback.insert(proxy_on_loopback.end(), {"--host", "127.0.0.1"});
  expect_refused("proxy", port, proxy_on_loopback);
  ::close(foreign);
}

}  // namespace
}  // namespace coring::test
