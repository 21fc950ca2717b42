// kv: the key-value store benchmark — an HTTP GET/POST/DELETE store whose reference
// implementations are Rust (hyper + DashMap) and Go (net/http + a locked map).
//
// One store shared by every thread (striped locks, see store.hpp and README.md), so a
// write on any connection is visible on every other at once. Entries expire --ttl
// after their last write; thread 0 sweeps a bounded number of slots per tick.

#include <algorithm>
#include <memory>
#include <vector>

#include "core/coarse_clock.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "http/launch.hpp"
#include "http/metrics.hpp"
#include "kv_handler.hpp"

namespace {

// Removes expired entries in the background: every tick (a tenth of the TTL, 10 ms to
// 100 ms) it visits enough slots to cover the table about once per TTL, at most 64k —
// a few hundred µs — so the loop is never stalled. Ends at shutdown.
// (Results of co_await are named before testing them: GCC 12 miscompiles a co_await
// inside an if condition.)
coring::task<void> sweep_expired(kv::store* s, std::chrono::milliseconds ttl) {
  const auto tick =
      std::clamp(ttl / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(100));
  const std::size_t ticks_per_ttl = static_cast<std::size_t>(std::max<long long>(1, ttl / tick));
  for (;;) {
    const coring::io_result slept = co_await coring::sleep_for(tick);
    if (!slept) co_return;  // stopped: shutting down
    const std::size_t budget =
        std::clamp<std::size_t>(s->slot_count() / ticks_per_ttl, 16384, 65536);
    s->sweep(coring::coarse_now_ms(), budget);
  }
}

}  // namespace

int main(int argc, char** argv) {
  coring::http::server_config config;
  config.port = 8081;
  config.name = "kv";
  coring::cli flags(
      argc, argv,
      "usage: kv [--port 8081] [--threads N] [--ttl 60s] [--max-key 32]\n"
      "          [--max-value 32] [--max-keys N] [options]\n"
      "A key-value store over HTTP: GET/POST/DELETE /{key}, GET /size, GET /metrics.\n\n"
      "  --ttl D                  entries expire D after their last write (0: never;\n"
      "                           default 60s)\n"
      "  --max-key N              longest key in bytes (default 32) → 400\n"
      "  --max-value N            longest value in bytes (default 32) → 413\n"
      "  --max-keys N             most keys stored (default 4000000); a new key beyond\n"
      "                           it → 507 (nothing is evicted)\n" +
          coring::http::server_flags_help(config));
  coring::http::take_server_flags(flags, config);
  kv::store_options options;
  if (auto d = flags.take_duration_as<std::chrono::milliseconds>("ttl")) options.ttl = *d;
  if (auto n = flags.take_number("max-key", 1, 1024)) options.max_key = *n;
  if (auto n = flags.take_number("max-value", 0, 65536)) options.max_value = *n;
  if (auto n = flags.take_number("max-keys", 1, 1'000'000'000)) options.max_keys = *n;
  flags.finish();

  kv::store store(options);
  const unsigned threads = config.thread_count();
  config.extra_metrics = [&store](std::string& out) {
    coring::http::append_metric(out, "kv_keys", "gauge",
                                "Keys stored (including expired ones not yet swept).",
                                store.size());
    coring::http::append_metric(out, "kv_expired_keys_total", "counter",
                                "Entries removed because their TTL passed.", store.expired());
  };
  std::vector<std::unique_ptr<kv::kv_handler>> handlers(threads);

  return coring::http::run_server(config, [&](unsigned index) -> coring::http::handler& {
    if (index == 0 && options.ttl.count() > 0) {
      coring::runtime& rt = coring::runtime::current();
      rt.spawn(sweep_expired(&store, options.ttl).under(&rt.shutdown_source()));
    }
    handlers[index] = std::make_unique<kv::kv_handler>(store);  // own slot only
    return *handlers[index];
  });
}
