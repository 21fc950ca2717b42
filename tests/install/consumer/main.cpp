// Built against an *installed* coring (tests/install/run.sh): uses the runtime, a
// timer op and the llhttp-based parser, so headers, libraries and llhttp all resolve.
#include <coring/core/runtime.hpp>
#include <coring/core/time.hpp>
#include <coring/http/parser.hpp>
#include <cstdio>

namespace {

coring::task<int> parse_after_sleep() {
  coring::io_result slept = co_await coring::sleep_for(std::chrono::milliseconds(1));
  if (!slept) co_return 1;
  coring::http::server_limits limits;
  coring::http::request_parser parser(limits);
  coring::http::request req;
  const auto outcome = parser.parse("GET /installed HTTP/1.1\r\nHost: x\r\n\r\n", req);
  co_return outcome == coring::http::request_parser::outcome::complete&& req.path == "/installed"
      ? 0
      : 2;
}

}  // namespace

int main() {
  coring::runtime rt;
  const int rc = rt.block_on(parse_after_sleep());
  std::puts(rc == 0 ? "coring consumer OK" : "coring consumer FAILED");
  return rc;
}
