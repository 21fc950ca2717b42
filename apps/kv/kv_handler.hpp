#pragma once
// kv_handler: the HTTP face of the store, one per thread; every route is synchronous.
//
//   GET    /{key}    200 with the value (empty body when missing)
//   POST   /{key}    body = value → stored, 200 echoing the value (PUT is the same)
//   DELETE /{key}    204
//   GET    /size     number of live keys
// A key is the whole path after the first '/'. Empty key or longer than --max-key →
// 400; value longer than --max-value → 413; a new key beyond --max-keys → 507.
// "/size" is reserved: other methods there get 405. GET /metrics is served in front of
// this handler by run_server (http/metrics_handler.hpp).

#include "http/handler.hpp"
#include "store.hpp"

namespace kv {

class kv_handler final : public coring::http::handler {
 public:
  explicit kv_handler(store& s) : store_(s) {}

  bool handle(coring::http::request& req, coring::http::response& res) override;
  // Prefetches the slots of the keys on the request lines of a received batch.
  void on_receive(std::string_view bytes) noexcept override;

 private:
  void dispatch(coring::http::request& req, coring::http::response& res);

  store& store_;
};

}  // namespace kv
