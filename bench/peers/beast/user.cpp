// beast-user: seed 001's user service on Boost.Beast. GET /v1/user answers users.json
// (--file, 3,696 bytes) with the first createdAt set to now in the same 24-character
// form, and the seed's headers (engine names the server).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "peer.hpp"

namespace {

constexpr std::size_t created_at_length = 24;  // "2023-04-21T12:40:19.925Z"

struct users {
  std::string body;
  std::size_t created_at = 0;  // offset of the first createdAt value
};

users load(const beast_peer::flags& options) {
  const std::string& path = options.text("file");
  if (path.empty()) options.fail("--file users.json is required");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) options.fail("cannot read " + path);
  users out{text.str()};
  const std::string key = "\"createdAt\"";
  const std::size_t k = out.body.find(key);
  const std::size_t quote = k == std::string::npos ? k : out.body.find('"', k + key.size());
  if (quote == std::string::npos || quote + 1 + created_at_length > out.body.size()) {
    options.fail("no createdAt value in " + path);
  }
  out.created_at = quote + 1;
  return out;
}

// Writes now as "2023-04-21T12:40:19.925Z" over the 24 characters at `at`.
void stamp_now(char* at) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t seconds = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[created_at_length + 1];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(millis));
  std::copy_n(text, created_at_length, at);
}

}  // namespace

int main(int argc, char** argv) {
  beast_peer::flags options("beast-user", "--file users.json [--port 8080] [--threads 1]");
  options.add("port", "8080");
  options.add("threads", "1");
  options.add("file", "");
  options.parse(argc, argv);
  const users data = load(options);
  namespace http = boost::beast::http;
  return beast_peer::run(
      options, [&data](const beast_peer::request& req, beast_peer::response& res) {
        if (req.target() != "/v1/user")
          return beast_peer::reject(res, http::status::not_found, "not found\n");
        if (req.method() != http::verb::get) {
          return beast_peer::reject(res, http::status::method_not_allowed, "method not allowed\n");
        }
        std::string body = data.body;
        stamp_now(body.data() + data.created_at);
        res.set("content-type", "application/json");
        res.set("engine", "Beast");
        res.set("location", "/v1/user");
        beast_peer::finish(res, std::move(body));
      });
}
