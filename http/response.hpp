#pragma once
// response: writes one response straight into the connection's output_buffer.
//
//   res.header("content-type", "application/json");
//   res.body(text);                 // copied (small bodies)
//   res.body_static(big_constant);  // referenced: an iovec, never copied in user space
//
// Status line and headers go out in call order, then content-length and date (and
// connection, when needed), then the body — omitted for HEAD. A handler that returns
// without finishing gets a 500.

#include <cstddef>
#include <memory>
#include <string_view>

#include "http/output_buffer.hpp"

namespace coring::http {

class response {
 public:
  response(output_buffer& out, bool head_request, bool keep_alive, bool http10) noexcept
      : out_(out), head_(head_request), keep_alive_(keep_alive), http10_(http10) {}

  // Must come before any header.
  // A final status is 200..599; anything else is a handler bug, answered as 500 (a 1xx
  // would read as an interim response, and the client would wait for another).
  void status(int code) noexcept { status_ = code >= 200 && code <= 599 ? code : 500; }
  int status() const noexcept { return status_; }
  void header(std::string_view name, std::string_view value);

  // Finishes the response with a copied body.
  void body(std::string_view data);
  // Finishes with a referenced body — copied anyway when smaller than
  // copy_threshold, where an extra iovec costs more than the copy. LIFETIME: must stay
  // valid and unchanged until the connection has sent it (static or immutable data).
  static constexpr std::size_t copy_threshold = 1024;
  void body_static(std::string_view data);
  // Finishes with a copied prefix followed by a referenced rest (a dynamic head on an
  // immutable tail, as the user app's timestamped JSON).
  void body_parts(std::string_view copied_prefix, std::string_view static_rest);
  // Finishes with a referenced body that `owner` keeps alive: the connection holds
  // `owner` until the body has been sent (an immutable body with a lifetime).
  void body_shared(std::string_view data, std::shared_ptr<const void> owner);
  // Finishes with a body of `length` bytes the caller writes at the returned address
  // at once (formatted straight into the output buffer); nullptr when no body goes out
  // (HEAD, 204, 304), and then nothing may be written.
  char* body_in_place(std::size_t length);
  // Finishes a response that has no content at all (204 No Content, 304): no
  // content-length field, no body (RFC 9110 §8.6). The body functions do the same for
  // a 204 or 304 status, whatever they are given: a body there would be read as the
  // start of the next response.
  void no_content();
  // Finishes with `code`, text/plain and `text`.
  void send_text(int code, std::string_view text);

  // Ask for the connection to close after this response.
  void close_connection() noexcept { keep_alive_ = false; }
  bool keep_alive() const noexcept { return keep_alive_; }
  bool finished() const noexcept { return finished_; }
  bool has_no_content() const noexcept { return status_ == 204 || status_ == 304; }

 private:
  void start();
  void finish_headers(std::size_t content_length, bool with_length = true,
                      std::string_view copied_body = {});

  output_buffer& out_;
  int status_ = 200;
  bool head_;
  bool keep_alive_;
  bool http10_;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace coring::http
