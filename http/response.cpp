#include "http/response.hpp"

#include <charconv>
#include <cstring>

#include "http/date.hpp"
#include "http/status.hpp"

namespace coring::http {

namespace {

constexpr std::string_view ok_line = "HTTP/1.1 200 OK\r\n";
constexpr std::size_t status_line_max = 64;  // "HTTP/1.1 NNN " + the longest reason + CRLF

// Writes the status line for `status` at `p`; returns its end.
char* write_status_line(char* p, int status) noexcept {
  if (status == 200) {  // the common case, without formatting
    std::memcpy(p, ok_line.data(), ok_line.size());
    return p + ok_line.size();
  }
  std::memcpy(p, "HTTP/1.1 ", 9);
  p = std::to_chars(p + 9, p + 12, status).ptr;
  *p++ = ' ';
  const std::string_view reason = reason_phrase(status);
  std::memcpy(p, reason.data(), reason.size());
  p += reason.size();
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

}  // namespace

void response::start() {
  if (started_) return;
  started_ = true;
  char line[status_line_max];
  out_.append({line, static_cast<std::size_t>(write_status_line(line, status_) - line)});
}

void response::header(std::string_view name, std::string_view value) {
  start();
  char* p = out_.append_uninitialized(name.size() + value.size() + 4);
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  *p++ = ':';
  *p++ = ' ';
  if (!value.empty()) std::memcpy(p, value.data(), value.size());  // data() may be null
  p += value.size();
  *p++ = '\r';
  *p = '\n';
}

// One append for everything from the status line (when no header() call wrote it
// already) to the end of a small copied body: the output buffer's bookkeeping runs once
// per response instead of three times, which is a visible share of a tiny response.
void response::finish_headers(std::size_t content_length, bool with_length,
                              std::string_view copied_body) {
  // [status line] "content-length: N\r\ndate: <29>\r\n" [connection] "\r\n"
  char buffer[status_line_max + 128];
  char* p = buffer;
  if (!started_) {
    started_ = true;
    p = write_status_line(p, status_);
  }
  if (with_length) {
    std::memcpy(p, "content-length: ", 16);
    p += 16;
    p = std::to_chars(p, p + 20, content_length).ptr;
    std::memcpy(p, "\r\n", 2);
    p += 2;
  }
  std::memcpy(p, "date: ", 6);
  p += 6;
  const std::string_view date = http_date();
  std::memcpy(p, date.data(), date.size());
  p += date.size();
  *p++ = '\r';
  *p++ = '\n';
  if (!keep_alive_) {
    std::memcpy(p, "connection: close\r\n", 19);
    p += 19;
  } else if (http10_) {
    std::memcpy(p, "connection: keep-alive\r\n", 24);
    p += 24;
  }
  *p++ = '\r';
  *p++ = '\n';
  const auto head_size = static_cast<std::size_t>(p - buffer);
  char* at = out_.append_uninitialized(head_size + copied_body.size());
  std::memcpy(at, buffer, head_size);
  if (!copied_body.empty()) std::memcpy(at + head_size, copied_body.data(), copied_body.size());
  finished_ = true;
}

void response::body(std::string_view data) {
  if (has_no_content()) return no_content();
  finish_headers(data.size(), true, head_ ? std::string_view() : data);
}

void response::body_static(std::string_view data) {
  if (has_no_content()) return no_content();
  if (head_ || data.size() < copy_threshold) {
    finish_headers(data.size(), true, head_ ? std::string_view() : data);
    return;
  }
  finish_headers(data.size());
  out_.append_reference(data);
}
void response::body_parts(std::string_view copied_prefix, std::string_view static_rest) {
  if (has_no_content()) return no_content();
  finish_headers(copied_prefix.size() + static_rest.size());
  if (head_) return;
  out_.append(copied_prefix);
  if (static_rest.size() < copy_threshold) {
    out_.append(static_rest);
  } else {
    out_.append_reference(static_rest);
  }
}

void response::body_shared(std::string_view data, std::shared_ptr<const void> owner) {
  if (!head_ && !has_no_content() && data.size() >= copy_threshold) out_.hold(std::move(owner));
  body_static(data);
}

char* response::body_in_place(std::size_t length) {
  if (has_no_content()) {
    no_content();
    return nullptr;
  }
  finish_headers(length);
  if (head_ || length == 0) return nullptr;
  return out_.append_uninitialized(length);
}

void response::no_content() { finish_headers(0, /*with_length=*/false); }

void response::send_text(int code, std::string_view text) {
  status(code);
  header("content-type", "text/plain");
  body(text);
}

}  // namespace coring::http
