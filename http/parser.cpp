#include "http/parser.hpp"

#include <algorithm>
#include <cstdint>

#include "http/conformance.hpp"

namespace coring::http {
namespace {

request_parser& self_of(llhttp_t* p) { return *static_cast<request_parser*>(p->data); }

http::method method_of(std::uint8_t m) noexcept {
  switch (m) {
    case HTTP_GET:
      return method::get;
    case HTTP_HEAD:
      return method::head;
    case HTTP_POST:
      return method::post;
    case HTTP_PUT:
      return method::put;
    case HTTP_DELETE:
      return method::delete_;
    case HTTP_PATCH:
      return method::patch;
    case HTTP_OPTIONS:
      return method::options;
    case HTTP_CONNECT:
      return method::connect;
    case HTTP_TRACE:
      return method::trace;
    default:
      return method::other;
  }
}

// Extends `view` when llhttp reports a span in several calls.
void extend(std::string_view& view, const char* at, std::size_t length) noexcept {
  if (view.empty()) {
    view = {at, length};
  } else {
    view = {view.data(), static_cast<std::size_t>(at + length - view.data())};
  }
}

}  // namespace

request_parser::request_parser(const server_limits& limits) : limits_(limits) {
  llhttp_settings_init(&settings_);
  settings_.on_url = &on_url;
  settings_.on_url_complete = &on_url_complete;
  settings_.on_header_field = &on_header_field;
  settings_.on_header_field_complete = &on_header_field_complete;
  settings_.on_header_value = &on_header_value;
  settings_.on_headers_complete = &on_headers_complete;
  settings_.on_body = &on_body;
  settings_.on_message_complete = &on_message_complete;
  // One slot more than the limit: the field that exceeds it is stored, then refused
  // once its name is complete (see on_header_field_complete).
  headers_.resize(limits.max_headers + 1);
}

int request_parser::fail(int status, const char* reason) noexcept {
  error_status_ = status;
  error_reason_ = reason;
  return -1;
}

void request_parser::start(const char* input, request& out) {
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  // Any HTTP/1.x is parsed: a higher minor version is served as 1.1 (RFC 9110 §6.2), and
  // a major version other than 1 gets 505 from on_headers_complete.
  parser_.lenient_flags |= LENIENT_VERSION;
  parser_.data = this;
  out.clear();
  out.set_headers_storage(headers_.data());
  out_ = &out;
  input_start_ = input;
  header_count_ = 0;
  body_bytes_ = 0;
  body_pieces_ = 0;
  scanned_ = 0;
  error_status_ = 0;
  error_reason_ = {};
  in_value_ = false;
  url_done_ = false;
  headers_done_ = false;
  expect_continue_ = false;
  message_done_ = false;
  body_copied_ = false;
}

namespace {

// `p`, taken in a buffer that started at `from`, moved to the same byte in a buffer that
// starts at `to`. Integer arithmetic: the old buffer may already be gone.
const char* moved(const char* p, const char* from, const char* to) noexcept {
  return to + (reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(from));
}
std::string_view moved(std::string_view view, const char* from, const char* to) noexcept {
  return view.empty() ? view : std::string_view(moved(view.data(), from, to), view.size());
}

}  // namespace

void request_parser::move_views_to(const char* input) noexcept {
  const char* from = input_start_;
  if (from == input) return;
  request& r = *out_;
  r.target = moved(r.target, from, input);
  if (r.path.data() != conformance::root_path.data()) r.path = moved(r.path, from, input);
  r.query = moved(r.query, from, input);
  if (!body_copied_) r.body = moved(r.body, from, input);
  for (std::size_t i = 0; i < header_count_; ++i) {
    headers_[i].name = moved(headers_[i].name, from, input);
    headers_[i].value = moved(headers_[i].value, from, input);
  }
  input_start_ = input;
}

request_parser::outcome request_parser::parse(std::string_view input, request& out) {
  if (pending_ && out_ == &out && input.size() >= scanned_) {
    move_views_to(input.data());
  } else {
    start(input.data(), out);
  }
  pending_ = false;
  consumed_ = 0;

  const llhttp_errno_t err = execute(input);
  if (message_done_) {
    consumed_ = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - input.data());
    out.set_header_count(header_count_);
    if (body_copied_) out.body = body_copy_;
    return outcome::complete;
  }
  if (err != HPE_OK) {
    map_llhttp_error(err, input);
    return outcome::error;
  }
  out.set_header_count(header_count_);
  pending_ = true;
  return outcome::incomplete;
}

// Runs llhttp over the bytes of `input` it has not seen. Until the header block is
// complete llhttp never gets past max_header_bytes, so the 431 is decided at one byte
// of the stream — the answer does not depend on where the receives split it.
llhttp_errno_t request_parser::execute(std::string_view input) {
  if (!headers_done_) {
    const std::size_t cap = std::min(input.size(), limits_.max_header_bytes);
    const llhttp_errno_t err = scan(input.data(), cap);
    if (err != HPE_OK || message_done_) return err;
    if (!headers_done_) {
      if (cap < limits_.max_header_bytes) return HPE_OK;  // more to come
      const bool in_target = !url_done_ && out_->target.size() > limits_.max_uri_bytes;
      fail(in_target ? 414 : 431, in_target ? "URI too long" : "request header too large");
      return HPE_USER;
    }
  }
  return scan(input.data(), input.size());
}

// llhttp over [scanned_, end) of the request that starts at `data`.
llhttp_errno_t request_parser::scan(const char* data, std::size_t end) {
  if (scanned_ >= end) return HPE_OK;
  const char* from = data + scanned_;
  const llhttp_errno_t err = llhttp_execute(&parser_, from, end - scanned_);
  const char* stop = err == HPE_OK ? data + end : llhttp_get_error_pos(&parser_);
  bytes_scanned_ += static_cast<std::size_t>(stop - from);
  scanned_ = end;
  return err;
}

void request_parser::map_llhttp_error(llhttp_errno_t err, std::string_view input) {
  if (error_status_ != 0) return;  // one of our callbacks already chose the status
  switch (err) {
    case HPE_INVALID_VERSION:
      fail(505, "HTTP version not supported");
      break;
    case HPE_INVALID_TRANSFER_ENCODING:
      fail(501, "transfer-encoding not implemented");
      break;
    case HPE_INVALID_METHOD: {
      // A well-formed but unknown method ("get", "GETX") is "not implemented"; garbage
      // is a bad request.
      const auto at = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - input.data());
      const bool token = conformance::is_method_token_prefix(input, at);
      fail(token ? 501 : 400, token ? "method not implemented" : "malformed request");
      break;
    }
    case HPE_UNEXPECTED_CONTENT_LENGTH:
      fail(400, "conflicting Content-Length / Transfer-Encoding");
      break;
    default:
      fail(400, "malformed request");
      break;
  }
}

int request_parser::on_url(llhttp_t* p, const char* at, std::size_t length) {
  extend(self_of(p).out_->target, at, length);
  return 0;
}

// The 414 is decided when the whole target is in (or at the header cap, see execute()):
// llhttp reports a partial target at the end of each receive, and a byte further on may
// still make the request a 400.
int request_parser::on_url_complete(llhttp_t* p) {
  request_parser& self = self_of(p);
  self.url_done_ = true;
  if (self.out_->target.size() > self.limits_.max_uri_bytes) return self.fail(414, "URI too long");
  return 0;
}

int request_parser::on_header_field(llhttp_t* p, const char* at, std::size_t length) {
  request_parser& self = self_of(p);
  if (self.in_value_ || self.header_count_ == 0) {
    self.headers_[self.header_count_++] = {};
    self.in_value_ = false;
  }
  // llhttp 8 lets spaces through ("Name : v"), which RFC 9112 §5.1 requires rejecting
  // (request smuggling).
  for (std::size_t i = 0; i < length; ++i) {
    if (!conformance::is_tchar(static_cast<unsigned char>(at[i])))
      return self.fail(400, "invalid header field name");
  }
  extend(self.headers_[self.header_count_ - 1].name, at, length);
  return 0;
}

int request_parser::on_header_field_complete(llhttp_t* p) {
  request_parser& self = self_of(p);
  if (self.header_count_ > self.limits_.max_headers)
    return self.fail(431, "too many header fields");
  return 0;
}

int request_parser::on_header_value(llhttp_t* p, const char* at, std::size_t length) {
  request_parser& self = self_of(p);
  // obs-fold (RFC 9112 §5.2): llhttp hands a folded line on as more of the value. It is
  // refused with 400 rather than rewritten to spaces: the value is a view into the
  // receive buffer, and a folded line is a smuggling vector no current client sends. A
  // piece is a continuation line when only whitespace separates it from a line break
  // (a value resumed in a new receive follows a value byte, or the colon).
  // (llhttp reports an empty value as an empty piece at the next line: no fold.)
  self.in_value_ = true;
  if (length == 0) return 0;
  const char* before = at;
  while (before > self.input_start_ && (before[-1] == ' ' || before[-1] == '\t')) --before;
  if (before > self.input_start_ && before[-1] == '\n') {
    return self.fail(400, "obsolete line folding in a header field");
  }
  extend(self.headers_[self.header_count_ - 1].value, at, length);
  return 0;
}

int request_parser::on_headers_complete(llhttp_t* p) {
  request_parser& self = self_of(p);
  request& r = *self.out_;
  if (p->http_major != 1) return self.fail(505, "HTTP version not supported");
  r.version_major = 1;
  r.version_minor = std::min<std::uint8_t>(p->http_minor, 1);  // 1.2+ is served as 1.1
  r.method = method_of(p->method);
  // A known method's name is a constant; only the others ask llhttp (and strlen).
  r.method_name =
      r.method != method::other
          ? method_text(r.method)
          : std::string_view(llhttp_method_name(static_cast<llhttp_method_t>(p->method)));
  conformance::trim_field_values(self.headers_.data(), self.header_count_);
  r.set_header_count(self.header_count_);
  const conformance::header_check checked = conformance::check_headers(r);
  if (checked.result.status != 0) return self.fail(checked.result.status, checked.result.reason);
  conformance::split_target(r);
  if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > self.limits_.max_body_bytes) {
    return self.fail(413, "request body too large");
  }
  self.expect_continue_ = checked.expect_continue;
  self.headers_done_ = true;
  return 0;
}

int request_parser::on_body(llhttp_t* p, const char* at, std::size_t length) {
  request_parser& self = self_of(p);
  self.body_bytes_ += length;
  if (self.body_bytes_ > self.limits_.max_body_bytes)
    return self.fail(413, "request body too large");
  request& r = *self.out_;
  if (self.body_pieces_ == 0) {
    r.body = {at, length};
  } else if (!self.body_copied_ && at == r.body.data() + r.body.size()) {
    r.body = {r.body.data(), r.body.size() + length};  // the same run, resumed in a new call
  } else {
    if (!self.body_copied_) self.body_copy_.assign(r.body);
    self.body_copied_ = true;
    self.body_copy_.append(at, length);
  }
  ++self.body_pieces_;
  return 0;
}

int request_parser::on_message_complete(llhttp_t* p) {
  request_parser& self = self_of(p);
  self.out_->keep_alive = llhttp_should_keep_alive(p) != 0;
  self.message_done_ = true;
  return HPE_PAUSED;  // stop right after this request: the caller handles it first
}

}  // namespace coring::http
