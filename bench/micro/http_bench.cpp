// HTTP user-space work per request: parsing (llhttp) and writing a response.

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "http/limits.hpp"
#include "http/output_buffer.hpp"
#include "http/parser.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace {

using namespace coring::http;

// What wrk sends.
constexpr std::string_view wrk_get = "GET /v1/user HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n";

// A browser-like request: more and longer header fields.
constexpr std::string_view browser_get =
    "GET /v1/user?id=42 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=0123456789abcdef0123456789abcdef\r\n"
    "Cache-Control: max-age=0\r\n\r\n";

void parse_one(benchmark::State& state, std::string_view input) {
  server_limits limits;
  request_parser parser(limits);
  request req;
  for (auto _ : state) {
    const auto outcome = parser.parse(input, req);
    benchmark::DoNotOptimize(outcome);
    benchmark::DoNotOptimize(req.path.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}

void BM_ParseWrkGet(benchmark::State& state) { parse_one(state, wrk_get); }
BENCHMARK(BM_ParseWrkGet);

void BM_ParseBrowserGet(benchmark::State& state) { parse_one(state, browser_get); }
BENCHMARK(BM_ParseBrowserGet);

// kv's pipelined batch: ten requests in one receive, parsed one after another.
void BM_ParsePipelinedBatchOf10(benchmark::State& state) {
  std::string batch;
  for (int i = 0; i < 10; ++i) {
    if (i % 5 == 4) {
      batch += "POST /" + std::to_string(100000 + i) +
               " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n42";
    } else {
      batch += "GET /" + std::to_string(100000 + i) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }
  }
  server_limits limits;
  request_parser parser(limits);
  request req;
  for (auto _ : state) {
    std::string_view rest = batch;
    while (!rest.empty()) {
      if (parser.parse(rest, req) != request_parser::outcome::complete) {
        state.SkipWithError("batch did not parse");
        return;
      }
      rest.remove_prefix(parser.consumed());
    }
  }
  state.SetItemsProcessed(state.iterations() * 10);
}
BENCHMARK(BM_ParsePipelinedBatchOf10);

// hello's answer: status line, date, content-length, a 12-byte body copied.
void BM_WriteHelloResponse(benchmark::State& state) {
  output_buffer out;
  for (auto _ : state) {
    out.clear();
    response res(out, false, true, false);
    res.body_static("Hello world!");
    benchmark::DoNotOptimize(out.size());
  }
}
BENCHMARK(BM_WriteHelloResponse);

// user's answer: three extra header fields, a copied 25-byte prefix and a 3,671-byte
// immutable rest referenced as an iovec (never copied): 3,696 bytes of body.
void BM_WriteUserResponse(benchmark::State& state) {
  static const std::string rest(3671, 'x');
  output_buffer out;
  for (auto _ : state) {
    out.clear();
    response res(out, false, true, false);
    res.header("content-type", "application/json");
    res.header("engine", "coring");
    res.header("location", "/v1/user");
    res.body_parts("[{\"createdAt\":\"2026-11-30", rest);
    benchmark::DoNotOptimize(out.iovecs().data());
  }
}
BENCHMARK(BM_WriteUserResponse);

}  // namespace
