// Ring set-up failures give a clear message: runtime_setup_error names the call that
// failed and why, and a failed constructor leaves nothing behind (no ring fd, no
// half-registered runtime on the thread), so the caller can retry with other options.

#include <dirent.h>
#include <gtest/gtest.h>

#include <string>

#include "core/runtime.hpp"

namespace coring {
namespace {

// Open fds of this process (a leaked ring fd shows up here).
int open_fd_count() {
  int count = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++count;
    }
    ::closedir(d);
  }
  return count - 1;  // the directory stream's own fd
}

// The message of the runtime_setup_error that constructing with `opts` throws ("" if none).
std::string setup_error_of(const runtime::options& opts) {
  try {
    runtime rt(opts);
  } catch (const runtime_setup_error& e) {
    return e.what();
  }
  return "";
}

TEST(SetupError, TooManyEntriesNamesTheCallAndTheReason) {
  const int fds_before = open_fd_count();
  const std::string what = setup_error_of(runtime::options{.sq_entries = 65536});
  ASSERT_NE(what, "") << "65536 SQ entries (the kernel's limit is 32768) did not throw";
  EXPECT_NE(what.find("io_uring_queue_init"), std::string::npos) << what;
  EXPECT_NE(what.find("Invalid argument"), std::string::npos) << what;
  EXPECT_NE(what.find("32768"), std::string::npos) << "no hint at the limit: " << what;
  EXPECT_EQ(runtime::current_or_null(), nullptr);
  EXPECT_EQ(open_fd_count(), fds_before);
}

TEST(SetupError, BufferCountNotAPowerOfTwoIsRejectedClearly) {
  const int fds_before = open_fd_count();
  for (unsigned count : {3u, 1000u, 65536u}) {
    const std::string what = setup_error_of(runtime::options{.buffer_count = count});
    ASSERT_NE(what, "") << "buffer_count " << count << " did not throw";
    EXPECT_NE(what.find("buffer_ring"), std::string::npos) << what;
    EXPECT_NE(what.find("power of two"), std::string::npos) << what;
  }
  // The ring created before the buffer ring failed was torn down with it.
  EXPECT_EQ(open_fd_count(), fds_before);
  EXPECT_EQ(runtime::current_or_null(), nullptr);
}

TEST(SetupError, ThreadCanRetryAfterAFailedSetUp) {
  EXPECT_THROW(runtime(runtime::options{.sq_entries = 65536}), runtime_setup_error);
  EXPECT_THROW(runtime(runtime::options{.buffer_count = 3}), runtime_setup_error);
  runtime rt(runtime::options{.sq_entries = 64, .buffer_count = 16});
  EXPECT_EQ(runtime::current_or_null(), &rt);
}

TEST(SetupError, SecondRuntimeOnOneThreadIsRefused) {
  runtime first(runtime::options{.sq_entries = 64, .buffer_count = 16});
  try {
    runtime second(runtime::options{.sq_entries = 64, .buffer_count = 16});
    ADD_FAILURE() << "two runtimes on one thread";
  } catch (const runtime_setup_error& e) {
    EXPECT_NE(std::string(e.what()).find("already"), std::string::npos) << e.what();
  }
  EXPECT_EQ(runtime::current_or_null(), &first);
}

}  // namespace
}  // namespace coring
