#pragma once
// response_parser: llhttp in HTTP_RESPONSE mode, fed incrementally as bytes arrive.
//
// Unlike the server's request parser (whose views point into one input buffer), the client
// copies what it needs — header fields and the de-chunked body — into a
// client_response, so the receive buffer can be reused between reads. Handles
// Content-Length, chunked and close-delimited bodies (finish() at EOF), skips 1xx
// interim responses, and knows that a response to HEAD has no body.

#include <llhttp.h>

#include <cstddef>
#include <string_view>

#include "http/client_response.hpp"

namespace coring::http {

class response_parser {
 public:
  response_parser();
  response_parser(const response_parser&) = delete;
  response_parser& operator=(const response_parser&) = delete;

  enum class outcome { complete, incomplete, error, too_large };

  // Begins a new response into `out` (cleared).
  void start(client_response& out, bool head_request, std::size_t max_body);
  // Feeds the next bytes. After complete, consumed() says how many of them were the
  // response's (the rest would be unsolicited bytes).
  outcome feed(std::string_view bytes);
  // The peer closed the connection: completes a close-delimited body, else error.
  outcome finish();

  std::size_t consumed() const noexcept { return consumed_; }
  bool received_any() const noexcept { return received_any_; }
  std::string_view error_reason() const noexcept { return reason_; }

 private:
  static int on_header_field(llhttp_t* p, const char* at, std::size_t length);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t length);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t length);
  static int on_message_complete(llhttp_t* p);

  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  client_response* out_ = nullptr;
  std::size_t max_body_ = 0;
  std::size_t consumed_ = 0;
  std::string_view reason_;
  bool head_request_ = false;
  bool done_ = false;
  bool too_large_ = false;
  bool received_any_ = false;
};

}  // namespace coring::http
