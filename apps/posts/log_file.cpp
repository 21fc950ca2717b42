#include "log_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "log_record.hpp"
#include "log_scan.hpp"
#include "seed.hpp"

namespace posts {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw log_error(path + ": " + what +
                  (errno != 0 ? std::string(": ") + std::strerror(errno) : ""));
}

std::string read_all(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(path, "fstat");
  std::string image(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < image.size()) {
    const ssize_t n = ::pread(fd, image.data() + got, image.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(path, "read");
    got += static_cast<std::size_t>(n);
  }
  return image;
}

void truncate_to(int fd, const std::string& path, std::uint64_t length) {
  if (::ftruncate(fd, static_cast<off_t>(length)) != 0 || ::fdatasync(fd) != 0) {
    fail(path, "truncate");
  }
}

void write_seed(opened_log& log, std::size_t count) {
  log.posts = seed_posts(count);
  std::string bytes;
  for (const post& p : log.posts) append_record(bytes, p);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(log.fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(log.path, "writing the seed posts");
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(log.fd) != 0) fail(log.path, "fdatasync");
  log.end = bytes.size();
}

// Locks the opened log, replays it, truncates what follows the valid records, seeds it
// when empty.
void load(opened_log& log, const log_open_options& options, std::FILE* warnings) {
  if (::flock(log.fd, LOCK_EX | LOCK_NB) != 0) fail(log.path, "in use by another process");
  const std::string image = read_all(log.fd, log.path);
  log_scan scan = scan_log(image);
  const std::uint64_t dropped = image.size() - scan.valid_end;
  if (scan.corrupt && !options.repair) {
    errno = 0;
    fail(log.path, "corrupt record at offset " + std::to_string(scan.valid_end) +
                       " (valid records follow it); --repair truncates the log there, dropping " +
                       std::to_string(dropped) + " bytes");
  }
  if (dropped != 0) {
    std::fprintf(warnings, "posts: warning: %s: %s at offset %llu: dropped %llu bytes\n",
                 log.path.c_str(), scan.corrupt ? "corrupt record (repaired)" : "torn tail",
                 static_cast<unsigned long long>(scan.valid_end),
                 static_cast<unsigned long long>(dropped));
    truncate_to(log.fd, log.path, scan.valid_end);
  }
  log.end = scan.valid_end;
  log.posts = std::move(scan.posts);
  if (log.posts.empty() && options.seed_posts != 0) write_seed(log, options.seed_posts);
}

}  // namespace

opened_log open_log(const log_open_options& options, std::FILE* warnings) {
  errno = 0;
  std::error_code ec;
  std::filesystem::create_directories(options.directory, ec);
  if (ec) throw log_error(options.directory + ": cannot create: " + ec.message());
  opened_log log;
  log.path = options.directory + "/posts.log";
  log.fd = ::open(log.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (log.fd < 0) fail(log.path, "open");
  try {
    load(log, options, warnings);
  } catch (...) {
    // The descriptor holds the lock: a refused log must not stay locked by this
    // process (a caller may open it again, e.g. with repair).
    ::close(log.fd);
    throw;
  }
  return log;
}

}  // namespace posts
