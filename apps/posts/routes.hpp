#pragma once
// routes: the posts API on one thread's router.
//
//   GET  /posts[?limit=N&before=ID]  newest first (the default page is shared, never copied)
//   GET  /posts/{id}                 one post, 404 if none
//   POST /posts                      201 + Location once durable (400/413/415/503)
//   GET  /stats                      {"posts":N,"syncs":N,"write_errors":N,"newest_id":N}
// HEAD works wherever GET does. Errors are {"error":"..."}.

#include <cstdint>

#include "core/runtime.hpp"
#include "http/router.hpp"
#include "post_log.hpp"
#include "store.hpp"
#include "validate.hpp"

namespace posts {

struct app {
  post_store& store;
  post_log& log;
  coring::runtime* log_runtime;  // the thread that owns the log
  post_limits limits;
};

// What one thread keeps: its router and its cached default page.
struct thread_routes {
  coring::http::router router;
  post_store::page page;
  std::uint64_t page_version = UINT64_MAX;
};

void add_routes(app& a, thread_routes& t);

}  // namespace posts
