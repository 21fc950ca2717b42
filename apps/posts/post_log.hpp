#pragma once
// post_log: group commit of new posts to the append-only log, owned by one thread.
//
// Handlers on any thread move onto the log's thread (switch_to, i.e. MSG_RING), queue
// their post with commit() and are resumed once the sync that covers it has completed
// (or failed). One committer coroutine loops: take every queued post, give each the
// next id and a timestamp, write all their records and fdatasync them as one linked
// WRITE + FSYNC chain, then publish them to the store and resume their handlers.
// Posts that arrive while a sync is in flight form the next batch, so the number of
// syncs follows the disk, not the request rate; a lone post is written at once.

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "post.hpp"
#include "store.hpp"

namespace posts {

// One post waiting for durability; lives in the handler's coroutine frame.
struct pending_post {
  post value;      // id and created_ms are set by the log
  int status = 0;  // 201 once durable, 503 when the write or sync failed
  std::coroutine_handle<> waiter;
};

struct log_counters {
  std::atomic<std::uint64_t> posts{0};         // acknowledged durable
  std::atomic<std::uint64_t> syncs{0};         // completed write + fdatasync chains
  std::atomic<std::uint64_t> write_errors{0};  // failed chains (their posts got 503)
};

class post_log {
 public:
  // `fd` is the opened log, `end` the length of its valid records, `next_id` the id the
  // next post gets.
  post_log(int fd, std::uint64_t end, std::uint64_t next_id, post_store& store, std::string path);

  // The committer: spawn it on the log's thread; it runs until stop() and an empty queue.
  coring::task<void> run();
  void stop();

  // On the log's thread: queues `p` and suspends until its batch is durable (or failed).
  auto commit(pending_post& p) {
    struct awaiter {
      post_log& log;
      pending_post& p;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> h) {
        p.waiter = h;
        log.enqueue(&p);
      }
      void await_resume() const noexcept {}
    };
    return awaiter{*this, p};
  }

  const log_counters& counters() const noexcept { return counters_; }

 private:
  void enqueue(pending_post* p);
  coring::task<void> commit_batch(std::vector<pending_post*>& batch);
  auto next_batch() {
    struct awaiter {
      post_log& log;
      bool await_ready() const noexcept { return !log.queue_.empty() || log.stopping_; }
      void await_suspend(std::coroutine_handle<> h) noexcept { log.idle_ = h; }
      void await_resume() const noexcept {}
    };
    return awaiter{*this};
  }

  int fd_;
  std::uint64_t end_;
  std::uint64_t next_id_;
  post_store& store_;
  std::string path_;
  std::vector<pending_post*> queue_;
  std::string records_;           // the batch being written (reused)
  std::coroutine_handle<> idle_;  // the committer, while it waits for posts
  bool stopping_ = false;
  log_counters counters_;
};

}  // namespace posts
