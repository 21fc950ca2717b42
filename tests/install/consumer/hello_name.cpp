// The README's example: one route with a path parameter, served on every CPU with
// every flag of the apps (--port, --threads, the limits; see --help).
#include <coring/http/launch.hpp>
#include <coring/http/router.hpp>
#include <string>

int main(int argc, char** argv) {
  coring::http::server_config config;
  coring::cli flags(argc, argv, "usage: hello_name [options]\n" + server_flags_help(config));
  take_server_flags(flags, config);
  flags.finish();

  coring::http::router routes;
  routes.get("/hello/{name}", [](coring::http::request& req, coring::http::response& res) {
    res.send_text(200, "Hello, " + std::string(req.param("name")) + "!\n");
  });
  return run_server(config, [&](unsigned) -> coring::http::handler& { return routes; });
}
