#pragma once
// handler: what the server calls for each request.
//
// Most handlers answer at once: handle() writes the response and returns true — no
// coroutine frame, no allocation. A handler that must wait (an upstream call, another
// core) returns false, and the server then awaits handle_async() for that request
// with the response as handle() left it (a copy: keep no pointer to it across the two
// calls); later pipelined requests wait their turn, so responses stay in order.

#include <string_view>

#include "core/task.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace coring::http {

class handler {
 public:
  virtual ~handler() = default;
  virtual bool handle(request& req, response& res) = 0;
  virtual task<void> handle_async(request& req, response& res);
  // A hint, called with each batch of bytes as it arrives, before any request in it is
  // parsed. The bytes are untrusted and may hold partial requests or bodies: use them
  // only for hints, such as prefetching what the coming requests will touch, never as
  // parsed input.
  virtual void on_receive(std::string_view /*bytes*/) noexcept {}
};

}  // namespace coring::http
