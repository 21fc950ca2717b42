#include "http/request_reader.hpp"

#include <utility>

namespace coring::http {

void request_reader::begin(recv_lease received) {
  lease_ = std::move(received);
  input_ = std::string_view(lease_.data().data(), lease_.data().size());
  offset_ = 0;
  scanned_before_ = parser_.bytes_scanned();
  assembled_ = !assembly_.empty();
  if (assembled_) {  // the rest of a request that spanned receives
    assembly_.append(input_);
    lease_.release();
    input_ = assembly_;
  }
}

request_reader::status request_reader::next(request& req) {
  if (offset_ >= input_.size()) return status::exhausted;
  switch (parser_.parse(input_.substr(offset_), req)) {
    case request_parser::outcome::incomplete:
      return status::incomplete;
    case request_parser::outcome::error:
      rejected_ = input_.substr(offset_);
      offset_ = input_.size();  // nothing after a malformed request can be trusted
      return status::error;
    case request_parser::outcome::complete:
      break;
  }
  offset_ += parser_.consumed();
  return status::request;
}

std::uint64_t request_reader::end(bool keep_tail) {
  if (keep_tail && offset_ < input_.size()) {
    if (assembled_) {
      assembly_.erase(0, offset_);
    } else {
      assembly_.assign(input_.substr(offset_));
    }
  } else {
    assembly_.clear();
  }
  lease_.release();
  input_ = {};
  return parser_.bytes_scanned() - scanned_before_;
}

void request_reader::reset() noexcept {
  parser_.reset();
  assembly_.clear();
  lease_.release();
  input_ = {};
}

}  // namespace coring::http
