#include "http/parser.hpp"

#include <array>
#include <cstdint>

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

// RFC 9110 §5.6.2 tchar: what a field name may contain. llhttp 8 lets spaces through
// ("Name : v"), which RFC 9112 §5.1 requires rejecting (request smuggling).
constexpr auto tchar_table = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();
constexpr bool is_tchar(unsigned char c) noexcept { return tchar_table[c]; }

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
  settings_.on_header_field = &on_header_field;
  settings_.on_header_value = &on_header_value;
  settings_.on_headers_complete = &on_headers_complete;
  settings_.on_body = &on_body;
  settings_.on_message_complete = &on_message_complete;
  headers_.resize(limits.max_headers);
}

int request_parser::fail(int status, const char* reason) noexcept {
  error_status_ = status;
  error_reason_ = reason;
  return -1;
}

void request_parser::start(const char* input, request& out) {
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
  out.clear();
  out.set_headers_storage(headers_.data());
  out_ = &out;
  input_start_ = input;
  headers_end_ = nullptr;
  header_count_ = 0;
  body_bytes_ = 0;
  body_pieces_ = 0;
  scanned_ = 0;
  error_status_ = 0;
  error_reason_ = {};
  in_value_ = false;
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
  r.path = moved(r.path, from, input);
  r.query = moved(r.query, from, input);
  if (!body_copied_) r.body = moved(r.body, from, input);
  for (std::size_t i = 0; i < header_count_; ++i) {
    headers_[i].name = moved(headers_[i].name, from, input);
    headers_[i].value = moved(headers_[i].value, from, input);
  }
  if (headers_end_ != nullptr) headers_end_ = moved(headers_end_, from, input);
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

  const std::size_t fresh = input.size() - scanned_;
  bytes_scanned_ += fresh;
  const llhttp_errno_t err = llhttp_execute(&parser_, input.data() + scanned_, fresh);
  scanned_ = input.size();
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
  // Not complete yet: refuse to buffer more than the limits allow.
  if (!headers_done_ && input.size() > limits_.max_header_bytes) {
    fail(431, "request header too large");
    return outcome::error;
  }
  out.set_header_count(header_count_);
  pending_ = true;
  return outcome::incomplete;
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
      // A well-formed but unknown method is "not implemented"; garbage is a bad request.
      const auto space = input.find(' ');
      bool token = space != std::string_view::npos && space > 0;
      for (std::size_t i = 0; token && i < space; ++i) token = input[i] >= 'A' && input[i] <= 'Z';
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
  request_parser& self = self_of(p);
  extend(self.out_->target, at, length);
  if (self.out_->target.size() > self.limits_.max_uri_bytes) return self.fail(414, "URI too long");
  return 0;
}

int request_parser::on_header_field(llhttp_t* p, const char* at, std::size_t length) {
  request_parser& self = self_of(p);
  if (self.in_value_ || self.header_count_ == 0) {
    if (self.header_count_ == self.headers_.size()) return self.fail(431, "too many header fields");
    self.headers_[self.header_count_++] = {};
    self.in_value_ = false;
  }
  for (std::size_t i = 0; i < length; ++i) {
    if (!is_tchar(static_cast<unsigned char>(at[i])))
      return self.fail(400, "invalid header field name");
  }
  extend(self.headers_[self.header_count_ - 1].name, at, length);
  return 0;
}

int request_parser::on_header_value(llhttp_t* p, const char* at, std::size_t length) {
  request_parser& self = self_of(p);
  self.in_value_ = true;
  extend(self.headers_[self.header_count_ - 1].value, at, length);
  self.headers_end_ = at + length;
  return 0;
}

int request_parser::on_headers_complete(llhttp_t* p) {
  request_parser& self = self_of(p);
  request& r = *self.out_;
  const char* end =
      self.headers_end_ != nullptr ? self.headers_end_ : r.target.data() + r.target.size();
  if (static_cast<std::size_t>(end - self.input_start_) > self.limits_.max_header_bytes) {
    return self.fail(431, "request header too large");
  }
  if (p->http_major != 1) return self.fail(505, "HTTP version not supported");
  r.version_major = p->http_major;
  r.version_minor = p->http_minor;
  r.method = method_of(p->method);
  r.method_name = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
  r.set_header_count(self.header_count_);
  const auto question = r.target.find('?');
  r.path = r.target.substr(0, question);
  if (question != std::string_view::npos) r.query = r.target.substr(question + 1);
  if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > self.limits_.max_body_bytes) {
    return self.fail(413, "request body too large");
  }
  self.expect_continue_ = iequals(r.header("expect"), "100-continue");
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
