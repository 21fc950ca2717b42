#pragma once
// router: method + path → handler, with "{name}" segments captured as parameters.
//
//   router r;
//   r.get("/v1/user", [](request&, response& res) { ... });
//   r.get("/users/{id}", ...);               // req.param("id")
//   r.get_async("/v1/relay", fn_returning_task);  // the server awaits the task
//
// No route for the path → 404; a route for the path but not the method → 405 with an
// Allow header. Routes are matched in the order they were added.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.hpp"

namespace coring::http {

class router : public handler {
 public:
  using sync_fn = std::function<void(request&, response&)>;
  using async_fn = std::function<task<void>(request&, response&)>;

  router& route(http::method m, std::string_view pattern, sync_fn fn);
  router& route_async(http::method m, std::string_view pattern, async_fn fn);
  router& get(std::string_view pattern, sync_fn fn) {
    return route(method::get, pattern, std::move(fn));
  }
  router& post(std::string_view pattern, sync_fn fn) {
    return route(method::post, pattern, std::move(fn));
  }
  router& get_async(std::string_view pattern, async_fn fn) {
    return route_async(method::get, pattern, std::move(fn));
  }
  // Any method not otherwise routed for `pattern` (e.g. a catch-all).
  router& any(std::string_view pattern, sync_fn fn) {
    return route(method::other, pattern, std::move(fn));
  }

  bool handle(request& req, response& res) override;
  task<void> handle_async(request& req, response& res) override;

 private:
  struct entry {
    http::method method;  // method::other: any method
    std::vector<std::string> segments;
    sync_fn sync;
    async_fn async;
  };
  static bool match(const entry& e, request& req);
  // The route for `req` (its parameters captured into req), or nullptr; on the way,
  // whether a route had the path and which methods those routes take.
  const entry* find(request& req, unsigned& allowed, bool& path_matched) const;
  std::vector<entry> routes_;
};

}  // namespace coring::http
