#include "routes.hpp"

#include <charconv>
#include <string>

#include "core/message.hpp"

namespace posts {
namespace {

using coring::http::request;
using coring::http::response;

constexpr std::size_t max_limit = 200;

void send_error(response& res, int status, std::string_view message) {
  std::string body = "{\"error\":";
  append_json_string(body, message);
  body += "}";
  res.status(status);
  res.header("content-type", "application/json");
  res.body(body);
}

// A decimal number in [min, max], digits only.
bool parse_number(std::string_view text, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && out >= min && out <= max;
}

struct page_query {
  std::uint64_t limit;
  std::uint64_t before = UINT64_MAX;
  bool given = false;  // limit or before present
};

// Parses "limit=N&before=ID" (other parameters are ignored); an error message or empty.
std::string_view parse_query(std::string_view query, page_query& q) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (name == "limit") {
      if (!parse_number(value, 1, max_limit, q.limit)) return "\"limit\" must be 1 to 200";
      q.given = true;
    } else if (name == "before") {
      if (!parse_number(value, 1, UINT64_MAX, q.before)) {
        return "\"before\" must be a post id (a positive integer)";
      }
      q.given = true;
    }
  }
  return {};
}

void list_posts(app& a, thread_routes& t, request& req, response& res) {
  page_query q{a.store.page_size()};
  if (const std::string_view error = parse_query(req.query, q); !error.empty()) {
    return send_error(res, 400, error);
  }
  res.header("content-type", "application/json");
  if (q.before == UINT64_MAX && q.limit == a.store.page_size()) {
    const std::uint64_t version = a.store.version();
    if (version != t.page_version) {
      t.page = a.store.default_page();
      t.page_version = version;
    }
    return res.body_shared(*t.page, t.page);
  }
  a.store.write_page(res, q.limit, q.before);
}

void get_post(app& a, request& req, response& res) {
  std::uint64_t id = 0;
  if (!parse_number(req.param("id"), 1, UINT64_MAX, id) || id > a.store.newest_id()) {
    return send_error(res, 404, "no such post");
  }
  res.header("content-type", "application/json");
  a.store.write_post(res, id);
}

void get_stats(app& a, response& res) {
  const log_counters& c = a.log.counters();
  const std::string body = "{\"posts\":" + std::to_string(c.posts.load()) +
                           ",\"syncs\":" + std::to_string(c.syncs.load()) +
                           ",\"write_errors\":" + std::to_string(c.write_errors.load()) +
                           ",\"newest_id\":" + std::to_string(a.store.newest_id()) + "}";
  res.header("content-type", "application/json");
  res.body(body);
}

coring::task<void> create_post(app* a, request& req, response& res) {
  validation v = validate_post(req.header("content-type"), req.body, a->limits);
  if (v.status != 0) {
    send_error(res, v.status, v.error);
    co_return;
  }
  pending_post p;
  p.value = std::move(v.value);
  coring::runtime& home = coring::runtime::current();
  co_await coring::switch_to(*a->log_runtime);
  co_await a->log.commit(p);
  co_await coring::switch_to(home);
  if (p.status != 201) {
    send_error(res, 503, "the post could not be stored durably; try again");
    co_return;
  }
  const std::string location = "/posts/" + std::to_string(p.value.id);
  res.status(201);
  res.header("content-type", "application/json");
  res.header("location", location);
  res.body(to_json(p.value));
}

}  // namespace

void add_routes(app& a, thread_routes& t) {
  app* ap = &a;
  thread_routes* tp = &t;
  t.router.get("/posts", [ap, tp](request& req, response& res) { list_posts(*ap, *tp, req, res); });
  t.router.route_async(coring::http::method::post, "/posts",
                       [ap](request& req, response& res) { return create_post(ap, req, res); });
  t.router.get("/posts/{id}", [ap](request& req, response& res) { get_post(*ap, req, res); });
  t.router.get("/stats", [ap](request&, response& res) { get_stats(*ap, res); });
}

}  // namespace posts
