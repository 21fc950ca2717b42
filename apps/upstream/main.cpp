// upstream: the HTTP server behind the TCP-proxy benchmark (the proxy relays a load
// generator's requests to it).
// GET /test1 → 200 with a 65,536-byte body; GET /test2 → 200 "Hello, world!"; else 404.
// Both bodies are immutable: test1 goes out by reference (an iovec), never copied.

#include <string>

#include "http/launch.hpp"
#include "http/router.hpp"

namespace {

const std::string& test1_body() {
  static const std::string body = [] {
    std::string b(65536, '\0');
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>('a' + i % 26);
    return b;
  }();
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  coring::http::server_config config;
  config.port = 20001;
  config.name = "upstream";
  coring::http::parse_server_command_line(
      argc, argv, "GET /test1 → 64 KiB body, GET /test2 → \"Hello, world!\".", config);

  test1_body();  // build it before the threads start
  coring::http::router routes;
  routes.get("/test1", [](coring::http::request&, coring::http::response& res) {
    res.body_static(test1_body());
  });
  routes.get("/test2", [](coring::http::request&, coring::http::response& res) {
    res.body_static("Hello, world!");
  });
  return coring::http::run_server(config,
                                  [&routes](unsigned) -> coring::http::handler& { return routes; });
}
