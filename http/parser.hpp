#pragma once
// request_parser: llhttp, one request at a time, views into the input.
//
// parse() takes the input from the first byte of a request and stops (HPE_PAUSED from
// on_message_complete) right after it, so a pipelined batch is parsed by calling it
// again on the rest. A request that is not complete yet is resumed, not re-parsed: the
// next call passes the same request from its first byte with more bytes appended
// (usually in another buffer — the connection's assembly buffer), the views taken so
// far are moved onto that buffer, and llhttp goes on from the first new byte. Every
// byte is scanned once, so a request trickled in N pieces costs O(size), not
// O(N × size) — a chunked body in 1-byte chunks sent 1 KiB at a time would otherwise
// cost the server thread seconds per megabyte. Views always point into one contiguous
// input. Chunked bodies are de-chunked: a body in one contiguous piece stays a view; a
// body in several pieces is copied together.

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/limits.hpp"
#include "http/request.hpp"

namespace coring::http {

class request_parser {
 public:
  explicit request_parser(const server_limits& limits);
  request_parser(const request_parser&) = delete;
  request_parser& operator=(const request_parser&) = delete;

  enum class outcome { complete, incomplete, error };

  // Parses the request at the start of `input` into `out`. After `incomplete`, the next
  // call continues that request: `input` must hold the same bytes from the request's
  // first byte (more appended) and `out` must be the same request.
  outcome parse(std::string_view input, request& out);
  // Forgets a request left incomplete (the connection closed or timed out on it).
  void reset() noexcept { pending_ = false; }
  // Bytes handed to llhttp over this parser's life: each input byte once.
  std::uint64_t bytes_scanned() const noexcept { return bytes_scanned_; }

  // After complete: bytes the request occupied.
  std::size_t consumed() const noexcept { return consumed_; }
  // After error: the status to answer with and a short reason for the body.
  int error_status() const noexcept { return error_status_; }
  std::string_view error_reason() const noexcept { return error_reason_; }
  // After incomplete: the headers are in and the client waits for "100 Continue".
  bool awaiting_continue() const noexcept { return headers_done_ && expect_continue_; }

 private:
  static int on_url(llhttp_t* p, const char* at, std::size_t length);
  static int on_url_complete(llhttp_t* p);
  static int on_header_field(llhttp_t* p, const char* at, std::size_t length);
  static int on_header_field_complete(llhttp_t* p);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t length);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t length);
  static int on_message_complete(llhttp_t* p);
  int fail(int status, const char* reason) noexcept;
  void map_llhttp_error(llhttp_errno_t err, std::string_view input);
  llhttp_errno_t execute(std::string_view input);
  llhttp_errno_t scan(const char* data, std::size_t end);
  void start(const char* input, request& out);
  void move_views_to(const char* input) noexcept;

  const server_limits& limits_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  request* out_ = nullptr;
  std::vector<header_field> headers_;
  std::string body_copy_;  // only for bodies that arrive in several pieces
  const char* input_start_ = nullptr;
  std::size_t header_count_ = 0;
  std::size_t body_bytes_ = 0;
  std::size_t body_pieces_ = 0;
  std::size_t consumed_ = 0;
  std::size_t scanned_ = 0;          // bytes of the pending request llhttp has seen
  std::uint64_t bytes_scanned_ = 0;  // bytes llhttp consumed, each once
  int error_status_ = 0;
  std::string_view error_reason_;
  bool in_value_ = false;
  bool url_done_ = false;
  bool headers_done_ = false;
  bool expect_continue_ = false;
  bool message_done_ = false;
  bool body_copied_ = false;  // the body came in non-adjacent pieces: it is in body_copy_
  bool pending_ = false;      // the last parse() returned incomplete
};

}  // namespace coring::http
