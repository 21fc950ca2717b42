#pragma once
// handler: what the server calls for each request.
//
// Most handlers answer at once: handle() writes the response and returns true — no
// coroutine frame, no allocation. A handler that must wait (an upstream call, another
// core) returns false, and the server then awaits handle_async() for that request;
// later pipelined requests wait their turn, so responses stay in order.

#include "core/task.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace coring::http {

class handler {
 public:
  virtual ~handler() = default;
  virtual bool handle(request& req, response& res) = 0;
  virtual task<void> handle_async(request& req, response& res);
};

}  // namespace coring::http
