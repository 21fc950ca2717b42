#include "http/access_log.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "core/file.hpp"

namespace coring::http {
namespace {

constexpr int open_flags = O_WRONLY | O_CREAT | O_APPEND;

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

bool needs_escape(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x21 || u > 0x7e || c == '"' || c == '\\';
}

// A target is the client's bytes: escaped so that a line stays one line and its quotes
// stay balanced, whatever was sent.
void append_escaped(std::string& out, std::string_view text) {
  std::size_t clean = 0;
  while (clean < text.size() && !needs_escape(text[clean])) ++clean;
  out.append(text.substr(0, clean));
  static constexpr char hex[] = "0123456789abcdef";
  for (char c : text.substr(clean)) {
    if (!needs_escape(c)) {
      out += c;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    const char escaped[4] = {'\\', 'x', hex[u >> 4], hex[u & 15]};
    out.append(escaped, 4);
  }
}

}  // namespace

access_log::access_log(std::string path) : path_(std::move(path)) {
  reopen_notice_.on_cqe = &on_reopen_notice;
  reopen_notice_.owner = this;
  if (path_ == "-") {
    fd_ = STDOUT_FILENO;
  } else {
    fd_ = ::open(path_.c_str(), open_flags | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "access log " + path_);
    owns_fd_ = true;
  }
  // Reserved up to the drop limit (plus a line or two) once, here: when the disk falls
  // behind, the buffers fill without a reallocation on the loop thread. Untouched pages
  // cost no memory.
  pending_.reserve(max_pending + 64 * 1024);
  writing_.reserve(max_pending + 64 * 1024);
}

access_log::~access_log() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

void access_log::append_time() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  if (now.tv_sec != cached_second_) {
    cached_second_ = now.tv_sec;
    tm parts{};
    gmtime_r(&now.tv_sec, &parts);
    std::strftime(second_text_, sizeof second_text_, "%Y-%m-%dT%H:%M:%S", &parts);
  }
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ ", static_cast<int>(now.tv_nsec / 1'000'000));
  pending_.append(second_text_).append(millis);
}

void access_log::append(const entry& e) {
  if (pending_.size() >= max_pending) {
    ++dropped_;  // the disk is far behind: lose a line rather than stall the loop
    return;
  }
  if (pending_.empty()) wake_.set();
  append_time();
  char peer[64];
  pending_.append(peer, e.peer != nullptr ? e.peer->format(peer, sizeof peer) : 0);
  if (e.peer == nullptr) pending_ += '-';
  pending_.append(" \"").append(e.method.empty() ? std::string_view("-") : e.method);
  pending_ += ' ';
  if (e.target.empty()) {
    pending_ += '-';
  } else {
    append_escaped(pending_, e.target);
  }
  pending_.append(e.version_minor == 0 ? " HTTP/1.0\" " : " HTTP/1.1\" ");
  append_number(pending_, static_cast<std::uint64_t>(e.status));
  pending_ += ' ';
  append_number(pending_, e.bytes);
  pending_ += ' ';
  append_number(pending_, e.micros);
  pending_ += '\n';
}

task<void> access_log::run() {
  for (;;) {
    if (reopen_requested_) co_await reopen_file();
    if (!pending_.empty()) {
      co_await write_batch();
      continue;
    }
    if (closing_) break;
    co_await wake_.wait();
    wake_.reset();
  }
}

void access_log::close() {
  closing_ = true;
  wake_.set();
}

void access_log::reopen() noexcept {
  if (!owns_fd_) return;  // stdout stays stdout
  reopen_requested_ = true;
  wake_.set();
}

void access_log::on_reopen_notice(completion* self, int, std::uint32_t) noexcept {
  static_cast<notice*>(self)->owner->reopen();
}

task<void> access_log::write_batch() {
  std::swap(pending_, writing_);
  std::size_t done = 0;
  while (done < writing_.size()) {
    const io_result r = co_await write_file(fd_, writing_.data() + done,
                                            static_cast<unsigned>(writing_.size() - done),
                                            static_cast<std::uint64_t>(-1));
    if (r.value <= 0) {
      if (!write_failed_) {
        std::fprintf(stderr, "access log %s: write failed: %s (lines lost)\n", path_.c_str(),
                     std::strerror(r.value < 0 ? -r.value : EIO));
      }
      write_failed_ = true;
      break;
    }
    done += static_cast<std::size_t>(r.value);
  }
  writing_.clear();
}

task<void> access_log::reopen_file() {
  reopen_requested_ = false;
  const io_result opened = co_await open_file(path_.c_str(), open_flags);
  if (!opened) {
    std::fprintf(stderr, "access log %s: reopen failed: %s (still writing the old file)\n",
                 path_.c_str(), std::strerror(-opened.value));
    co_return;
  }
  co_await close_file(fd_);
  fd_ = opened.value;
  write_failed_ = false;
}

}  // namespace coring::http
