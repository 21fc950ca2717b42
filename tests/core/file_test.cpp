// File I/O through the ring: open, write, fsync, read back, close.

#include "core/file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/runtime.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

// A unique path in the temp directory, removed when the test ends.
struct temp_path {
  std::string path;
  temp_path() {
    char name[] = "/tmp/coring_file_test_XXXXXX";
    int fd = ::mkstemp(name);
    if (fd < 0) test::fail_errno("mkstemp");
    ::close(fd);
    path = name;
  }
  ~temp_path() { ::unlink(path.c_str()); }
};

struct file_outcome {
  int open_write = 0, fsync = 0, close_write = 0, open_read = 0, close_read = 0;
  long written = 0;
  std::string read_back;
};

task<void> write_sync_read(const char* path, const std::string* data, file_outcome* out) {
  io_result fd = co_await open_file(path, O_WRONLY | O_CREAT | O_TRUNC);
  out->open_write = fd.value;
  if (!fd) co_return;
  // Several writes at explicit offsets, out of order.
  const std::size_t half = data->size() / 2;
  io_result second = co_await write_file(fd.value, data->data() + half,
                                         static_cast<unsigned>(data->size() - half), half);
  io_result first = co_await write_file(fd.value, data->data(), static_cast<unsigned>(half), 0);
  out->written = static_cast<long>(first.value) + second.value;
  out->fsync = (co_await fsync_file(fd.value)).value;
  out->close_write = (co_await close_file(fd.value)).value;

  io_result rd = co_await open_file(path, O_RDONLY);
  out->open_read = rd.value;
  if (!rd) co_return;
  std::string buffer(data->size() + 100, '\0');
  std::size_t got = 0;
  for (;;) {
    io_result n = co_await read_file(rd.value, buffer.data() + got,
                                     static_cast<unsigned>(buffer.size() - got), got);
    if (n.value <= 0) break;
    got += static_cast<std::size_t>(n.value);
  }
  buffer.resize(got);
  out->read_back = std::move(buffer);
  out->close_read = (co_await close_file(rd.value)).value;
}

TEST(File, WriteFsyncReadBack) {
  runtime rt;
  temp_path tmp;
  const std::string data = test::payload(5, 3 * 1024 * 1024 + 11);
  file_outcome out;
  rt.block_on(write_sync_read(tmp.path.c_str(), &data, &out));
  EXPECT_GE(out.open_write, 0);
  EXPECT_EQ(out.written, static_cast<long>(data.size()));
  EXPECT_EQ(out.fsync, 0);
  EXPECT_EQ(out.close_write, 0);
  EXPECT_GE(out.open_read, 0);
  EXPECT_EQ(out.close_read, 0);
  EXPECT_EQ(out.read_back.size(), data.size());
  EXPECT_EQ(test::checksum(out.read_back), test::checksum(data));
  // And the bytes really are on disk, as seen by ordinary reads.
  FILE* f = std::fopen(tmp.path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string plain(data.size(), '\0');
  EXPECT_EQ(std::fread(plain.data(), 1, plain.size(), f), data.size());
  std::fclose(f);
  EXPECT_EQ(test::checksum(plain), test::checksum(data));
}

task<int> open_only(const char* path) { co_return (co_await open_file(path, O_RDONLY)).value; }

TEST(File, OpenMissingFileIsEnoent) {
  runtime rt;
  EXPECT_EQ(rt.block_on(open_only("/nonexistent/coring/file")), -ENOENT);
}

task<int> read_past_end(const char* path) {
  io_result fd = co_await open_file(path, O_RDONLY);
  if (!fd) co_return fd.value;
  char buf[16];
  io_result n = co_await read_file(fd.value, buf, sizeof buf, 1'000'000);
  co_await close_file(fd.value);
  co_return n.value;
}

TEST(File, ReadAtEndOfFileReturnsZero) {
  runtime rt;
  temp_path tmp;
  EXPECT_EQ(rt.block_on(read_past_end(tmp.path.c_str())), 0);
}

task<int> datasync(const char* path) {
  io_result fd = co_await open_file(path, O_WRONLY);
  const char text[] = "x";
  co_await write_file(fd.value, text, 1, 0);
  int r = (co_await fsync_file(fd.value, /*data_only=*/true)).value;
  co_await close_file(fd.value);
  co_return r;
}

TEST(File, FdatasyncSucceeds) {
  runtime rt;
  temp_path tmp;
  EXPECT_EQ(rt.block_on(datasync(tmp.path.c_str())), 0);
}

task<write_sync_result> linked_write_sync(const char* path, int flags, const std::string* data,
                                          std::uint64_t offset) {
  io_result fd = co_await open_file(path, flags);
  if (!fd) co_return write_sync_result{fd.value, fd.value};
  const write_sync_result r =
      co_await write_and_sync(fd.value, data->data(), static_cast<unsigned>(data->size()), offset);
  co_await close_file(fd.value);
  co_return r;
}

TEST(File, LinkedWriteAndSyncWritesThenSyncs) {
  runtime rt;
  temp_path tmp;
  const std::string data = test::payload(9, 4096 + 3);
  const write_sync_result r = rt.block_on(linked_write_sync(tmp.path.c_str(), O_WRONLY, &data, 5));
  EXPECT_TRUE(r.ok(static_cast<unsigned>(data.size()))) << r.written << " " << r.synced;
  FILE* f = std::fopen(tmp.path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string plain(data.size() + 5, '\0');
  EXPECT_EQ(std::fread(plain.data(), 1, plain.size(), f), plain.size());
  std::fclose(f);
  EXPECT_EQ(plain.substr(5), data);
}

TEST(File, LinkedSyncIsCancelledWhenTheWriteFails) {
  runtime rt;
  temp_path tmp;
  const std::string data = "record";
  const write_sync_result r = rt.block_on(linked_write_sync(tmp.path.c_str(), O_RDONLY, &data, 0));
  EXPECT_EQ(r.written, -EBADF);
  EXPECT_EQ(r.synced, -ECANCELED);
  EXPECT_FALSE(r.ok(static_cast<unsigned>(data.size())));
}

}  // namespace
}  // namespace coring
