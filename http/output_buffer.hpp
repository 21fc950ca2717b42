#pragma once
// output_buffer: what a connection will send next, in order — bytes copied into our
// own buffer (status lines, headers, small bodies) interleaved with references to
// large immutable bodies that are never copied in user space. One send (or sendmsg
// with an iovec per segment) flushes a whole pipelined batch.

#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace coring::http {

class output_buffer {
 public:
  output_buffer();

  void append(std::string_view bytes);
  char* append_uninitialized(std::size_t length);  // for formatting in place
  // LIFETIME: `bytes` must stay valid and unchanged until the send completes.
  void append_reference(std::string_view bytes);
  // Keeps `owner` alive until everything appended so far has been sent (a shared,
  // versioned body whose newer versions may replace it meanwhile). Holding the same
  // owner twice in a row keeps one reference.
  void hold(std::shared_ptr<const void> owner);

  std::size_t size() const noexcept { return total_; }
  bool empty() const noexcept { return total_ == 0; }
  void clear() noexcept;

  // The unsent part as iovecs (rebuilt after each partial send).
  std::vector<iovec>& iovecs();
  // The unsent part's first segment, and how many there are: a single one is sent
  // without building the iovec array. Not empty().
  iovec front() const noexcept;
  std::size_t segment_count() const noexcept { return segments_.size() - first_segment_; }
  // Marks `n` bytes as sent.
  void consume(std::size_t n) noexcept;
  // Bytes in the largest referenced segment (for the zero-copy decision).
  std::size_t largest_reference() const noexcept { return largest_reference_; }

 private:
  struct segment {
    const char* external;  // null: bytes_[offset, offset+length)
    std::size_t offset;
    std::size_t length;
  };
  std::vector<char> bytes_;
  std::size_t used_ = 0;  // bytes_ in use (bytes_.size() is capacity we may overwrite)
  std::vector<segment> segments_;
  std::vector<iovec> iovecs_;
  std::vector<std::shared_ptr<const void>> owners_;
  std::size_t first_segment_ = 0;
  std::size_t total_ = 0;
  std::size_t largest_reference_ = 0;
};

}  // namespace coring::http
