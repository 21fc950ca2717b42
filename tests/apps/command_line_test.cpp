// Every binary shares one command-line face (core/cli.hpp): the same value syntax for
// every flag, exit status 2 and the program's name on any bad flag, --version, and a
// --help that explains the value syntax.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "server_process.hpp"

namespace {

struct app {
  const char* name;
  std::vector<std::string> required;  // flags it cannot start without
};

const std::vector<app>& every_app() {
  static const std::vector<app> apps = {{"hello", {}},
                                        {"user", {}},
                                        {"kv", {}},
                                        {"upstream", {}},
                                        {"proxy", {"--upstream", "127.0.0.1:1"}}};
  return apps;
}

struct run_result {
  int status = -1;
  std::string out;
  std::string err;
};

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

// Runs a binary that is expected to exit by itself (a bad flag, --help, --version).
run_result run_to_exit(const app& a, std::vector<std::string> args) {
  const std::string binary = std::string(CORING_BIN_DIR) + "/" + a.name;
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const std::string& r : a.required) argv.push_back(const_cast<char*>(r.c_str()));
    argv.push_back(const_cast<char*>("--port"));
    argv.push_back(const_cast<char*>("0"));
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  run_result r;
  r.out = read_all(out[0]);  // the pipes are small: a bad flag's message fits at once
  r.err = read_all(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(CommandLine, EveryBinaryTakesADurationInAnyUnit) {
  for (const app& a : every_app()) {
    for (const char* value : {"1500ms", "1.5s"}) {
      std::vector<std::string> args = a.required;
      for (const char* s : {"--port", "0", "--threads", "1", "--idle-timeout"}) args.push_back(s);
      args.push_back(value);
      coring::test::server_process server(a.name, args);  // throws unless it listens
      EXPECT_NE(server.port(), 0) << a.name << " " << value;
      EXPECT_EQ(server.stop(), 0) << a.name << " " << value;
    }
  }
}

TEST(CommandLine, EveryBinaryRejectsBadFlagsWithStatusTwoAndItsName) {
  const std::vector<std::vector<std::string>> bad = {
      {"--idle-timeout", "5x"}, {"--threads", "abc"}, {"--no-such-flag"}, {"--threads"}};
  for (const app& a : every_app()) {
    for (const auto& args : bad) {
      const run_result r = run_to_exit(a, args);
      EXPECT_EQ(r.status, 2) << a.name << " " << args[0];
      EXPECT_EQ(r.err.rfind(std::string(a.name) + ": ", 0), 0u) << r.err;
      EXPECT_NE(r.err.find(args[0]), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("usage: " + std::string(a.name)), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("--help"), std::string::npos) << r.err;
    }
  }
}

// The user app's own limits: a malformed duration is refused before anything starts.
TEST(CommandLine, UserRejectsMalformedUpstreamLimits) {
  const app user{"user", {}};
  for (const char* flag : {"--upstream-timeout", "--upstream-idle-timeout"}) {
    const run_result r = run_to_exit(user, {flag, "soon"});
    EXPECT_EQ(r.status, 2) << flag;
    EXPECT_NE(r.err.find(std::string("user: ") + flag), std::string::npos) << r.err;
  }
}

TEST(CommandLine, EveryBinaryPrintsItsVersionAndTheValueSyntax) {
  for (const app& a : every_app()) {
    const run_result version = run_to_exit(a, {"--version"});
    EXPECT_EQ(version.status, 0) << a.name;
    EXPECT_EQ(version.out, std::string(a.name) + " (coring " CORING_VERSION ")\n");
    const run_result help = run_to_exit(a, {"--help"});
    EXPECT_EQ(help.status, 0) << a.name;
    for (const char* word : {"usage: ", "--threads", "--port", "--host", "--stats",
                             "--idle-timeout", "1500ms", "16k", "--version"}) {
      EXPECT_NE(help.out.find(word), std::string::npos) << a.name << ": " << word;
    }
  }
}

}  // namespace
