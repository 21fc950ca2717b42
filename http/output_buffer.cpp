#include "http/output_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace coring::http {

output_buffer::output_buffer() {
  bytes_.resize(4 * 1024);  // grows on demand; most batches are small
  segments_.reserve(16);
  iovecs_.reserve(16);
  owners_.reserve(4);
}

char* output_buffer::append_uninitialized(std::size_t length) {
  if (used_ + length > bytes_.size()) bytes_.resize(std::max(bytes_.size() * 2, used_ + length));
  char* at = bytes_.data() + used_;
  if (!segments_.empty() && segments_.back().external == nullptr &&
      segments_.back().offset + segments_.back().length == used_) {
    segments_.back().length += length;  // contiguous with the previous copy: one iovec
  } else {
    segments_.push_back({nullptr, used_, length});
  }
  used_ += length;
  total_ += length;
  return at;
}

void output_buffer::append(std::string_view data) {
  if (data.empty()) return;
  std::memcpy(append_uninitialized(data.size()), data.data(), data.size());
}

void output_buffer::append_reference(std::string_view data) {
  if (data.empty()) return;
  segments_.push_back({data.data(), 0, data.size()});
  total_ += data.size();
  if (data.size() > largest_reference_) largest_reference_ = data.size();
}

void output_buffer::hold(std::shared_ptr<const void> owner) {
  if (!owners_.empty() && owners_.back() == owner) return;
  owners_.push_back(std::move(owner));
}

void output_buffer::clear() noexcept {
  used_ = 0;
  owners_.clear();
  segments_.clear();
  first_segment_ = 0;
  total_ = 0;
  largest_reference_ = 0;
}

std::vector<iovec>& output_buffer::iovecs() {
  iovecs_.clear();
  for (std::size_t i = first_segment_; i < segments_.size(); ++i) {
    const segment& s = segments_[i];
    const char* base = s.external != nullptr ? s.external : bytes_.data() + s.offset;
    iovecs_.push_back({const_cast<char*>(base), s.length});
  }
  return iovecs_;
}

iovec output_buffer::front() const noexcept {
  const segment& s = segments_[first_segment_];
  const char* base = s.external != nullptr ? s.external : bytes_.data() + s.offset;
  return {const_cast<char*>(base), s.length};
}

void output_buffer::consume(std::size_t n) noexcept {
  total_ -= n;
  while (n > 0 && first_segment_ < segments_.size()) {
    segment& s = segments_[first_segment_];
    const std::size_t take = n < s.length ? n : s.length;
    if (s.external != nullptr) {
      s.external += take;
    } else {
      s.offset += take;
    }
    s.length -= take;
    n -= take;
    if (s.length == 0) ++first_segment_;
  }
  if (total_ == 0) clear();
}

}  // namespace coring::http
