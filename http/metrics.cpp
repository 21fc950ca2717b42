#include "http/metrics.hpp"

#include <cstdio>

#include "core/cycle_clock.hpp"

namespace coring::http {
namespace {

constexpr std::array<double, thread_metrics::bucket_count - 1> bounds_seconds = {
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2};
constexpr std::array<std::string_view, thread_metrics::method_count> method_names = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "other"};

void appendf(std::string& out, const char* format, auto... args) {
  char line[256];
  const int n = std::snprintf(line, sizeof line, format, args...);
  if (n > 0)
    out.append(line,
               static_cast<std::size_t>(n < static_cast<int>(sizeof line) ? n : sizeof line - 1));
}

unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

void append_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

http::method method_of_raw_request(std::string_view bytes) noexcept {
  const std::size_t space = bytes.find(' ');
  if (space == std::string_view::npos) return method::other;
  const std::string_view token = bytes.substr(0, space);
  for (std::size_t i = 0; i + 1 < method_names.size(); ++i) {
    if (token == method_names[i]) return static_cast<http::method>(i);
  }
  return method::other;
}

void append_metric(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, std::uint64_t value) {
  append_header(out, name, type, help);
  out.append(name);
  appendf(out, " %llu\n", ull(value));
}

void thread_metrics::handled(std::uint64_t cycles) noexcept {
  std::size_t bucket = 0;
  while (bucket < bucket_count - 1 && cycles > bound_cycles_[bucket]) ++bucket;
  buckets_[bucket].add();
  handler_cycles_.add(cycles);
}

metrics::metrics(std::string prefix, unsigned threads) : prefix_(std::move(prefix)) {
  const double rate = cycles_per_ns();
  for (std::size_t i = 0; i < bound_cycles_.size(); ++i) {
    bound_cycles_[i] = static_cast<std::uint64_t>(bounds_seconds[i] * 1e9 * rate);
  }
  for (unsigned i = 0; i < threads; ++i) {
    threads_.push_back(std::make_unique<thread_metrics>());
    threads_.back()->bound_cycles_ = bound_cycles_.data();
  }
}

std::uint64_t metrics::sum(owned_counter thread_metrics::*field) const noexcept {
  std::uint64_t total = 0;
  for (const auto& t : threads_) total += ((*t).*field).get();
  return total;
}

void metrics::render(std::string& out) const {
  out.clear();
  render_requests(out);
  render_histogram(out);
  render_connections(out);
  render_runtime(out);
  if (extra) extra(out);
}

void metrics::render_requests(std::string& out) const {
  const std::string name = prefix_ + "_requests_total";
  append_header(out, name, "counter", "Requests answered, by method and status.");
  for (std::size_t m = 0; m < thread_metrics::method_count; ++m) {
    for (std::size_t slot = 0; slot < thread_metrics::status_slots; ++slot) {
      std::uint64_t total = 0;
      for (const auto& t : threads_)
        total += t->requests_[m * thread_metrics::status_slots + slot].get();
      if (total == 0) continue;
      const std::string_view method = method_names[m];
      if (slot < 500) {
        appendf(out, "%s{method=\"%.*s\",status=\"%zu\"} %llu\n", name.c_str(),
                static_cast<int>(method.size()), method.data(), slot + 100, ull(total));
      } else {
        appendf(out, "%s{method=\"%.*s\",status=\"other\"} %llu\n", name.c_str(),
                static_cast<int>(method.size()), method.data(), ull(total));
      }
    }
  }
}

void metrics::render_histogram(std::string& out) const {
  const std::string name = prefix_ + "_request_duration_seconds";
  append_header(out, name, "histogram",
                "Time in the handler, from parsed request to written response.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < thread_metrics::bucket_count; ++i) {
    for (const auto& t : threads_) cumulative += t->buckets_[i].get();
    if (i < bounds_seconds.size()) {
      appendf(out, "%s_bucket{le=\"%g\"} %llu\n", name.c_str(), bounds_seconds[i], ull(cumulative));
    } else {
      appendf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name.c_str(), ull(cumulative));
    }
  }
  const std::uint64_t cycles = sum(&thread_metrics::handler_cycles_);
  appendf(out, "%s_sum %.9f\n", name.c_str(), static_cast<double>(cycles) / cycles_per_ns() / 1e9);
  appendf(out, "%s_count %llu\n", name.c_str(), ull(cumulative));
}

void metrics::render_connections(std::string& out) const {
  const std::uint64_t opened = sum(&thread_metrics::connections_opened);
  const std::uint64_t closed = sum(&thread_metrics::connections_closed);
  append_metric(out, prefix_ + "_requests_in_flight", "gauge", "Requests inside a handler now.",
                sum(&thread_metrics::in_flight));
  append_metric(out, prefix_ + "_connections_open", "gauge", "Client connections open now.",
                opened - closed);
  append_metric(out, prefix_ + "_connections_total", "counter", "Client connections accepted.",
                opened);
  append_metric(out, prefix_ + "_received_bytes_total", "counter", "Bytes received from clients.",
                sum(&thread_metrics::bytes_received));
  append_metric(out, prefix_ + "_sent_bytes_total", "counter", "Bytes sent to clients.",
                sum(&thread_metrics::bytes_sent));
}

void metrics::render_runtime(std::string& out) const {
  runtime_stats total;
  for (const auto& t : threads_) total += t->ring.read();
  append_runtime_metrics(out, prefix_, total);
}

void append_runtime_metrics(std::string& out, std::string_view prefix, const runtime_stats& s) {
  const auto values = std::bit_cast<published_stats::fields>(s);
  const auto& names = runtime_stats_names();
  for (std::size_t i = 0; i < values.size(); ++i) {
    append_metric(out, std::string(prefix) + "_runtime_" + names[i] + "_total", "counter",
                  "Run-loop counter, as --stats prints it.", values[i]);
  }
}

}  // namespace coring::http
