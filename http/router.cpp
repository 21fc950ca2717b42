#include "http/router.hpp"

#include <stdexcept>

namespace coring::http {
namespace {

std::vector<std::string> split_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= pattern.size()) {
    const std::size_t slash = pattern.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? pattern.size() : slash;
    segments.emplace_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_param(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

constexpr std::string_view method_token(http::method m) noexcept {
  switch (m) {
    case method::get:
      return "GET";
    case method::head:
      return "HEAD";
    case method::post:
      return "POST";
    case method::put:
      return "PUT";
    case method::delete_:
      return "DELETE";
    case method::patch:
      return "PATCH";
    case method::options:
      return "OPTIONS";
    case method::connect:
      return "CONNECT";
    case method::trace:
      return "TRACE";
    case method::other:
      break;
  }
  return {};
}

// "GET, HEAD, POST" for a bit set of methods (bit = enum value), into `out`.
std::string_view format_allow(unsigned allowed, char (&out)[80]) noexcept {
  std::size_t n = 0;
  for (unsigned m = 0; m < static_cast<unsigned>(method::other); ++m) {
    if ((allowed & (1u << m)) == 0) continue;
    const std::string_view name = method_token(static_cast<http::method>(m));
    if (n != 0) {
      out[n++] = ',';
      out[n++] = ' ';
    }
    name.copy(out + n, name.size());
    n += name.size();
  }
  return {out, n};
}

}  // namespace

task<void> handler::handle_async(request&, response& res) {
  res.send_text(500, "handler has no async path\n");
  co_return;
}

router& router::route(http::method m, std::string_view pattern, sync_fn fn) {
  routes_.push_back({m, split_pattern(pattern), std::move(fn), nullptr});
  return *this;
}

router& router::route_async(http::method m, std::string_view pattern, async_fn fn) {
  routes_.push_back({m, split_pattern(pattern), nullptr, std::move(fn)});
  return *this;
}

bool router::match(const entry& e, request& req) {
  req.clear_params();
  std::string_view rest = req.path;
  if (rest.empty() || rest.front() != '/') return false;
  rest.remove_prefix(1);
  for (std::size_t i = 0; i < e.segments.size(); ++i) {
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    const std::string& want = e.segments[i];
    if (is_param(want)) {
      if (part.empty()) return false;
      req.add_param(std::string_view(want).substr(1, want.size() - 2), part);
    } else if (part != want) {
      return false;
    }
    const bool last = i + 1 == e.segments.size();
    if (last) return slash == std::string_view::npos;
    if (slash == std::string_view::npos) return false;
    rest.remove_prefix(slash + 1);
  }
  return false;
}

const router::entry* router::find(request& req, unsigned& allowed, bool& path_matched) const {
  for (const entry& e : routes_) {
    if (!match(e, req)) continue;
    path_matched = true;
    if (e.method != method::other && e.method != req.method &&
        !(e.method == method::get && req.method == method::head)) {
      allowed |= 1u << static_cast<unsigned>(e.method);
      if (e.method == method::get) allowed |= 1u << static_cast<unsigned>(method::head);
      continue;
    }
    return &e;
  }
  return nullptr;
}

bool router::handle(request& req, response& res) {
  bool path_matched = false;
  unsigned allowed = 0;  // methods routed for this path, for the 405's Allow header
  const entry* e = find(req, allowed, path_matched);
  if (e != nullptr && !e->sync) return false;  // the server awaits handle_async()
  if (e != nullptr) {
    e->sync(req, res);
  } else if (path_matched) {
    res.status(405);
    char allow[80];  // RFC 9110 §15.5.6: a 405 must list the allowed methods
    res.header("allow", format_allow(allowed, allow));
    res.header("content-type", "text/plain");
    res.body("method not allowed\n");
  } else {
    res.send_text(404, "not found\n");
  }
  return true;
}

// Matching again (a few string compares) keeps the request free of router state: the
// route handle() chose is the one found here, as routes never change while serving.
task<void> router::handle_async(request& req, response& res) {
  bool path_matched = false;
  unsigned allowed = 0;
  const entry* e = find(req, allowed, path_matched);
  co_await e->async(req, res);
}

}  // namespace coring::http
