#pragma once
// Helpers for the posts tests: a scratch data directory, POST requests, the fields of
// an answer, and the log file as bytes.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace coring::test::posts_support {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class scratch_dir {
 public:
  scratch_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/coring_posts_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = pattern;
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::string& path() const noexcept { return path_; }
  std::string log() const { return path_ + "/posts.log"; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline std::string json_request(std::string_view method_path, std::string_view body,
                                std::string_view content_type = "application/json") {
  std::string r = std::string(method_path) + " HTTP/1.1\r\nhost: test\r\n";
  if (!content_type.empty()) r += "content-type: " + std::string(content_type) + "\r\n";
  return r + "content-length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// POST /posts with {"title","author","body"} (the strings must not need escaping).
inline std::string post_request(std::string_view title, std::string_view author,
                                std::string_view body) {
  return json_request("POST /posts", "{\"title\":\"" + std::string(title) + "\",\"author\":\"" +
                                         std::string(author) + "\",\"body\":\"" +
                                         std::string(body) + "\"}");
}

// The number after "\"id\":" in a post's JSON (0 if none).
inline std::uint64_t id_of(std::string_view json) {
  const std::size_t at = json.find("\"id\":");
  if (at == std::string_view::npos) return 0;
  return std::stoull(std::string(json.substr(at + 5, 20)));
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct exit_result {
  int status = -1;  // exit status, -1 if killed by a signal
  std::string err;  // what it wrote to stderr
};

// Runs the posts binary with `args` until it exits (for start-ups that must fail).
inline exit_result run_posts_to_exit(std::vector<std::string> args, const std::string& err_file) {
  const std::string binary = std::string(CORING_BIN_DIR) + "/posts";
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_WRONLY);
    if (err < 0 || null < 0) ::_exit(126);
    ::dup2(err, STDERR_FILENO);
    ::dup2(null, STDOUT_FILENO);
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(err_file)};
}

}  // namespace coring::test::posts_support
