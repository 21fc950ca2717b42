#include "metrics.hpp"

#include <cstdio>

#include "cycle_clock.hpp"
#include "store.hpp"

namespace kv {
namespace {

constexpr std::array<double, metrics::bucket_count - 1> bounds_seconds = {
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2};
constexpr std::array<const char*, metrics::method_count> method_names = {"GET", "HEAD", "POST",
                                                                         "DELETE", "other"};
constexpr std::array<int, metrics::status_count - 1> statuses = {200, 204, 400, 404, 405, 413, 507};

std::size_t method_index(coring::http::method m) noexcept {
  switch (m) {
    case coring::http::method::get:
      return 0;
    case coring::http::method::head:
      return 1;
    case coring::http::method::post:
      return 2;
    case coring::http::method::delete_:
      return 3;
    default:
      return 4;
  }
}

std::size_t status_index(int status) noexcept {
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] == status) return i;
  }
  return statuses.size();
}

void appendf(std::string& out, const char* format, auto... args) {
  char line[256];
  const int n = std::snprintf(line, sizeof line, format, args...);
  if (n > 0)
    out.append(line,
               static_cast<std::size_t>(n < static_cast<int>(sizeof line) ? n : sizeof line - 1));
}

}  // namespace

metrics::metrics(unsigned threads) {
  for (unsigned i = 0; i < threads; ++i) blocks_.push_back(std::make_unique<thread_block>());
  const double rate = cycles_per_ns();
  for (std::size_t i = 0; i < bound_cycles_.size(); ++i) {
    bound_cycles_[i] = static_cast<std::uint64_t>(bounds_seconds[i] * 1e9 * rate);
  }
}

void metrics::record(thread_block& b, coring::http::method m, int status,
                     std::uint64_t cycles) const noexcept {
  b.requests[method_index(m) * status_count + status_index(status)].add();
  std::size_t bucket = 0;
  while (bucket < bound_cycles_.size() && cycles > bound_cycles_[bucket]) ++bucket;
  b.buckets[bucket].add();
  b.latency_cycles.add(cycles);
}

void metrics::render(std::string& out, const store& s) const {
  out.clear();
  out += "# HELP kv_requests_total Requests answered, by method and status.\n";
  out += "# TYPE kv_requests_total counter\n";
  for (std::size_t m = 0; m < method_count; ++m) {
    for (std::size_t st = 0; st < status_count; ++st) {
      std::uint64_t total = 0;
      for (const auto& b : blocks_) total += b->requests[m * status_count + st].get();
      if (total == 0) continue;
      if (st < statuses.size()) {
        appendf(out, "kv_requests_total{method=\"%s\",status=\"%d\"} %llu\n", method_names[m],
                statuses[st], static_cast<unsigned long long>(total));
      } else {
        appendf(out, "kv_requests_total{method=\"%s\",status=\"other\"} %llu\n", method_names[m],
                static_cast<unsigned long long>(total));
      }
    }
  }

  out +=
      "# HELP kv_request_duration_seconds Time in the handler, from parsed request to written "
      "response.\n";
  out += "# TYPE kv_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  std::uint64_t cycles = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    for (const auto& b : blocks_) cumulative += b->buckets[i].get();
    if (i < bounds_seconds.size()) {
      appendf(out, "kv_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds_seconds[i],
              static_cast<unsigned long long>(cumulative));
    } else {
      appendf(out, "kv_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
              static_cast<unsigned long long>(cumulative));
    }
  }
  for (const auto& b : blocks_) cycles += b->latency_cycles.get();
  appendf(out, "kv_request_duration_seconds_sum %.9f\n",
          static_cast<double>(cycles) / cycles_per_ns() / 1e9);
  appendf(out, "kv_request_duration_seconds_count %llu\n",
          static_cast<unsigned long long>(cumulative));

  std::uint64_t in_flight = 0;
  for (const auto& b : blocks_) in_flight += b->in_flight.get();
  out += "# HELP kv_requests_in_flight Requests inside a handler right now.\n";
  out += "# TYPE kv_requests_in_flight gauge\n";
  appendf(out, "kv_requests_in_flight %llu\n", static_cast<unsigned long long>(in_flight));
  out += "# HELP kv_keys Keys stored (including expired ones not yet swept).\n";
  out += "# TYPE kv_keys gauge\n";
  appendf(out, "kv_keys %llu\n", static_cast<unsigned long long>(s.size()));
  out += "# HELP kv_expired_keys_total Entries removed because their TTL passed.\n";
  out += "# TYPE kv_expired_keys_total counter\n";
  appendf(out, "kv_expired_keys_total %llu\n", static_cast<unsigned long long>(s.expired()));
}

}  // namespace kv
