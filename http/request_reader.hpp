#pragma once
// request_reader: a connection's received bytes, read as a sequence of requests.
//
// It owns the parser and the assembly buffer — the bytes of a request that spans
// receives. A batch is one receive: begin() takes it, next() yields each request in it
// in turn, end() keeps the unparsed tail (the start of the next request) and gives the
// receive buffer back. Requests yielded by next() hold views into the batch's bytes:
// they stay valid until end().
//
// Most requests arrive whole in one receive and are parsed where they landed, in the
// ring's buffer; only a request split across receives is copied, into the assembly.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/buffer_ring.hpp"
#include "http/limits.hpp"
#include "http/parser.hpp"
#include "http/request.hpp"

namespace coring::http {

class request_reader {
 public:
  explicit request_reader(const server_limits& limits) : parser_(limits) {}

  enum class status {
    request,     // `req` holds the next request
    incomplete,  // the batch ends inside a request: end() keeps its bytes
    error,       // malformed or over a limit: error_status() / error_reason()
    exhausted,   // every byte of the batch was a complete request
  };

  // Starts a batch with the bytes of one receive (held until end()).
  void begin(recv_lease received);
  status next(request& req);
  // Ends the batch: with keep_tail, holds the unparsed tail for the next batch;
  // without (the connection closes), forgets it. Returns the bytes llhttp scanned.
  std::uint64_t end(bool keep_tail);

  // Holds part of a request (between batches).
  bool partial() const noexcept { return !assembly_.empty(); }
  // After `incomplete`: the client waits for "100 Continue" before sending the body.
  bool awaiting_continue() const noexcept { return parser_.awaiting_continue(); }
  int error_status() const noexcept { return parser_.error_status(); }
  // After `error`: the bytes from the rejected request on (the access log and the
  // metrics read its method); valid until end().
  std::string_view rejected() const noexcept { return rejected_; }
  // The bytes of a partial request held between batches.
  std::string_view held() const noexcept { return assembly_; }
  std::string_view error_reason() const noexcept { return parser_.error_reason(); }
  // Forgets everything (the reader goes back to a pool).
  void reset() noexcept;

 private:
  request_parser parser_;
  std::string assembly_;  // a request that spans receives (rare): its bytes so far
  recv_lease lease_;      // this batch's receive buffer, until end()
  std::string_view input_;
  std::size_t offset_ = 0;  // input_ before this has been parsed
  std::string_view rejected_;
  bool assembled_ = false;  // input_ is assembly_
  std::uint64_t scanned_before_ = 0;
};

}  // namespace coring::http
