// user: the "user microservice" benchmark, whose reference is a Rust hyper service
// (optionally chained: one service fetching the answer from another).
//
//   GET /v1/user → 200 application/json, users.json (3696 bytes) with the first
//   createdAt set to now. The same body is served at --upstream-path, so one `user`
//   can be another's upstream. With --upstream, /v1/user is fetched from there instead
//   (keep-alive pool per thread) and relayed; upstream down → 502, slow → 504.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/threads.hpp"
#include "core/time.hpp"
#include "http/launch.hpp"
#include "http/router.hpp"
#include "relay.hpp"
#include "users_body.hpp"

namespace {

using coring::http::request;
using coring::http::response;

// Everything one thread serves with: its router and, in chained mode, its client.
struct user_thread {
  coring::http::router routes;
  std::optional<user_app::relay> upstream;
};

void serve_local(const user_app::users_body& body, response& res) {
  res.header("content-type", "application/json");
  res.header("engine", "coring");
  res.header("location", "/v1/user");
  // LIFETIME: rest() is the embedded file (static storage), referenced until sent.
  res.body_parts(body.prefix(), body.rest());
}

// Once a second, closes the upstream connections idle longer than the client's idle
// timeout: after a burst, the pool (and its fds) shrinks back even with no traffic.
coring::task<void> reap_idle_upstream(coring::http::client* c) {
  for (;;) {
    const coring::io_result slept = co_await coring::sleep_for(std::chrono::seconds(1));
    if (!slept) co_return;  // shutting down
    c->reap_idle();
  }
}

std::string usage(const coring::http::server_config& defaults) {
  return "usage: user [--port 8080] [--threads N] [--upstream HOST:PORT]\n"
         "            [--upstream-path /v1/customer/get] [--upstream-timeout 2s] [options]\n"
         "Serves GET /v1/user (users.json, first createdAt = now). The same body is\n"
         "served at --upstream-path. With --upstream, /v1/user is fetched from that\n"
         "server's --upstream-path instead and relayed (502 if it fails, 504 if slower\n"
         "than --upstream-timeout).\n\n"
         "  --upstream HOST:PORT     chained mode: fetch /v1/user from this server\n"
         "  --upstream-path PATH     path fetched upstream, and served here (default\n"
         "                           /v1/customer/get)\n"
         "  --upstream-timeout D     deadline per upstream request (default 2s)\n"
         "  --upstream-idle N        keep-alive upstream connections kept per thread\n"
         "                           (default 256)\n"
         "  --upstream-idle-timeout D  an upstream connection idle this long is closed\n"
         "                           (default 30s; checked once a second)\n" +
         coring::http::server_flags_help(defaults);
}

}  // namespace

int main(int argc, char** argv) {
  coring::http::server_config config;
  config.port = 8080;
  config.name = "user";
  coring::cli flags(argc, argv, usage(config));
  coring::http::take_server_flags(flags, config);
  const std::optional<std::string> upstream = flags.take_string("upstream");
  const std::string path = flags.take_string("upstream-path").value_or("/v1/customer/get");
  coring::http::client_options client_options;
  if (auto d = flags.take_duration_as<std::chrono::milliseconds>("upstream-timeout"))
    client_options.timeout = *d;
  if (auto n = flags.take_number("upstream-idle", 0, 1'000'000)) client_options.max_idle = *n;
  if (auto d = flags.take_duration_as<std::chrono::milliseconds>("upstream-idle-timeout"))
    client_options.idle_timeout = *d;
  flags.finish();
  if (path.empty() || path.front() != '/') flags.fail("--upstream-path must start with '/'");
  std::optional<coring::socket_address> upstream_address;
  if (upstream) {
    try {
      upstream_address = coring::socket_address::parse(*upstream);
    } catch (const std::exception& e) {
      flags.fail(std::string("--upstream: ") + e.what());
    }
  }

  const user_app::users_body body;  // immutable after this: shared by every thread
  const unsigned threads = config.thread_count();
  std::vector<std::unique_ptr<user_thread>> per_thread(threads);

  return coring::http::run_server(config, [&](unsigned index) -> coring::http::handler& {
    auto t = std::make_unique<user_thread>();
    user_thread* self = t.get();
    auto local = [&body](request&, response& res) { serve_local(body, res); };
    if (upstream_address) {
      self->upstream.emplace(*upstream_address, path, client_options);
      coring::runtime& rt = coring::runtime::current();
      rt.spawn(reap_idle_upstream(&self->upstream->client()).under(&rt.shutdown_source()));
      // A plain lambda that calls a free coroutine: nothing captured by reference
      // outlives the call; the task holds only `relay*` and `res`.
      self->routes.get_async("/v1/user", [self](request&, response& res) {
        return user_app::relay_user(&*self->upstream, res);
      });
    } else {
      self->routes.get("/v1/user", local);
    }
    if (path != "/v1/user") self->routes.get(path, local);
    per_thread[index] = std::move(t);  // each thread writes only its own slot
    return self->routes;
  });
}
