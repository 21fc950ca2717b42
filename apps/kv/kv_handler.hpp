#pragma once
// kv_handler: the HTTP face of the store, one per thread; every route is synchronous.
//
//   GET    /{key}    200 with the value (empty body when missing)
//   POST   /{key}    body = value → stored, 200 echoing the value (PUT is the same)
//   DELETE /{key}    204
//   GET    /size     number of live keys;  GET /metrics: Prometheus text
// A key is the whole path after the first '/'. Empty key or longer than --max-key →
// 400; value longer than --max-value → 413; a new key beyond --max-keys → 507.
// "/size" and "/metrics" are reserved: other methods there get 405.

#include <string>

#include "http/handler.hpp"
#include "metrics.hpp"
#include "store.hpp"

namespace kv {

class kv_handler final : public coring::http::handler {
 public:
  kv_handler(store& s, metrics& m, unsigned thread)
      : store_(s), metrics_(m), block_(m.block(thread)) {}

  bool handle(coring::http::request& req, coring::http::response& res) override;
  // Prefetches the slots of the keys on the request lines of a received batch.
  void on_receive(std::string_view bytes) noexcept override;

 private:
  void dispatch(coring::http::request& req, coring::http::response& res);

  store& store_;
  metrics& metrics_;
  metrics::thread_block& block_;
  std::string scratch_;  // /metrics text, reused
};

}  // namespace kv
