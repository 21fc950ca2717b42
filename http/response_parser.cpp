#include "http/response_parser.hpp"

namespace coring::http {
namespace {

response_parser& self_of(llhttp_t* p) { return *static_cast<response_parser*>(p->data); }

}  // namespace

response_parser::response_parser() {
  llhttp_settings_init(&settings_);
  settings_.on_header_field = &on_header_field;
  settings_.on_header_value = &on_header_value;
  settings_.on_headers_complete = &on_headers_complete;
  settings_.on_body = &on_body;
  settings_.on_message_complete = &on_message_complete;
}

void response_parser::start(client_response& out, bool head_request, std::size_t max_body) {
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
  out.clear();
  out_ = &out;
  max_body_ = max_body;
  consumed_ = 0;
  reason_ = {};
  head_request_ = head_request;
  done_ = false;
  too_large_ = false;
  received_any_ = false;
}

response_parser::outcome response_parser::feed(std::string_view bytes) {
  if (bytes.empty()) return outcome::incomplete;
  received_any_ = true;
  const llhttp_errno_t err = llhttp_execute(&parser_, bytes.data(), bytes.size());
  if (done_) {
    consumed_ = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - bytes.data());
    return outcome::complete;
  }
  if (too_large_) return outcome::too_large;
  if (err != HPE_OK) {
    reason_ = llhttp_get_error_reason(&parser_) != nullptr ? llhttp_get_error_reason(&parser_)
                                                           : "malformed";
    return outcome::error;
  }
  return outcome::incomplete;
}

response_parser::outcome response_parser::finish() {
  if (done_) return outcome::complete;
  if (!received_any_) {
    reason_ = "closed before any response byte";
    return outcome::error;
  }
  llhttp_finish(&parser_);  // runs on_message_complete for a close-delimited body
  if (done_) {
    out_->keep_alive = false;
    return outcome::complete;
  }
  reason_ = "closed mid-response";
  return outcome::error;
}

int response_parser::on_header_field(llhttp_t* p, const char* at, std::size_t length) {
  self_of(p).out_->append_header_name({at, length});
  return 0;
}

int response_parser::on_header_value(llhttp_t* p, const char* at, std::size_t length) {
  self_of(p).out_->append_header_value({at, length});
  return 0;
}

int response_parser::on_headers_complete(llhttp_t* p) {
  response_parser& self = self_of(p);
  self.out_->status = p->status_code;
  // RFC 9110 §15: a status code is 100..599. 101 answers an Upgrade we never ask for.
  if (p->status_code < 100 || p->status_code > 599 || p->status_code == 101) {
    llhttp_set_error_reason(p, "invalid status code");
    return -1;
  }
  if (p->content_length > self.max_body_ && (p->flags & F_CONTENT_LENGTH) != 0) {
    self.too_large_ = true;
    return -1;
  }
  // 1: this response has no body (a response to HEAD carries only the length).
  return self.head_request_ ? 1 : 0;
}

int response_parser::on_body(llhttp_t* p, const char* at, std::size_t length) {
  response_parser& self = self_of(p);
  if (self.out_->body.size() + length > self.max_body_) {
    self.too_large_ = true;
    return -1;
  }
  self.out_->body.append(at, length);
  return 0;
}

int response_parser::on_message_complete(llhttp_t* p) {
  response_parser& self = self_of(p);
  const int status = p->status_code;
  if (status >= 100 && status < 200 && status != 101) {
    self.out_->clear();  // an interim response (100 Continue): the real one follows
    return 0;
  }
  self.out_->keep_alive = llhttp_should_keep_alive(p) != 0;
  self.done_ = true;
  return HPE_PAUSED;  // stop right after this response
}

}  // namespace coring::http
