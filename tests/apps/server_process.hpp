#pragma once
// server_process: runs one of the built app binaries (CORING_BIN_DIR) as a child
// process for a test, with `--port 0`, and learns its port from the first stdout line
// ("listening on HOST:PORT ..."). The destructor stops it with SIGTERM (SIGKILL after
// a grace period), so a failing test never leaves a server behind. `stderr_file`, when
// given, receives the child's stderr (for tests that check its warnings).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace coring::test {

class server_process {
 public:
  server_process(const std::string& app, std::vector<std::string> args,
                 const std::string& stderr_file = {}) {
    const std::string binary = std::string(CORING_BIN_DIR) + "/" + app;
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      if (!stderr_file.empty()) {
        const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err >= 0) ::dup2(err, STDERR_FILENO);
      }
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(binary.c_str()));
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = out[0];
    first_line_ = read_line(std::chrono::seconds(10));
    const auto listening = first_line_.find("listening on ");
    const auto colon = first_line_.rfind(':', first_line_.find(' ', listening + 13));
    if (listening == std::string::npos || colon == std::string::npos) {
      stop();
      throw std::runtime_error(app + " did not start: '" + first_line_ + "'");
    }
    port_ = static_cast<std::uint16_t>(std::stoi(first_line_.substr(colon + 1)));
  }
  ~server_process() { stop(); }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  const std::string& first_line() const noexcept { return first_line_; }

  // SIGTERM, wait (SIGKILL after 5 s); returns the exit status (-1 if killed).
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    if (stdout_ >= 0) ::close(stdout_);
    stdout_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return status_;
  }

 private:
  std::string read_line(std::chrono::milliseconds limit) {
    std::string line;
    const auto until = std::chrono::steady_clock::now() + limit;
    char c = 0;
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{stdout_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      if (::read(stdout_, &c, 1) != 1) break;
      if (c == '\n') break;
      line += c;
    }
    return line;
  }

  pid_t pid_ = -1;
  int stdout_ = -1;
  int status_ = -1;
  std::uint16_t port_ = 0;
  std::string first_line_;
};

}  // namespace coring::test
