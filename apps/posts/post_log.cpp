#include "post_log.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "core/file.hpp"
#include "core/runtime.hpp"
#include "log_record.hpp"

namespace posts {

post_log::post_log(int fd, std::uint64_t end, std::uint64_t next_id, post_store& store,
                   std::string path)
    : fd_(fd), end_(end), next_id_(next_id), store_(store), path_(std::move(path)) {}

void post_log::enqueue(pending_post* p) {
  queue_.push_back(p);
  if (idle_) {
    coring::runtime::current().post(idle_);
    idle_ = nullptr;
  }
}

void post_log::stop() {
  stopping_ = true;
  if (idle_) {
    coring::runtime::current().post(idle_);
    idle_ = nullptr;
  }
}

coring::task<void> post_log::run() {
  std::vector<pending_post*> batch;
  for (;;) {
    co_await next_batch();
    if (queue_.empty()) co_return;  // stopping, nothing left
    batch.swap(queue_);
    co_await commit_batch(batch);
    batch.clear();
  }
}

coring::task<void> post_log::commit_batch(std::vector<pending_post*>& batch) {
  records_.clear();
  const std::int64_t now = now_ms();
  std::uint64_t id = next_id_;
  for (pending_post* p : batch) {
    p->value.id = id++;
    p->value.created_ms = now;
    append_record(records_, p->value);
  }
  const coring::write_sync_result r = co_await coring::write_and_sync(
      fd_, records_.data(), static_cast<unsigned>(records_.size()), end_);
  const bool ok = r.ok(static_cast<unsigned>(records_.size()));
  if (ok) {
    end_ += records_.size();
    next_id_ = id;
    std::vector<post> durable;
    durable.reserve(batch.size());
    for (pending_post* p : batch) durable.push_back(p->value);
    store_.append(durable);
    counters_.syncs.fetch_add(1, std::memory_order_relaxed);
    counters_.posts.fetch_add(batch.size(), std::memory_order_relaxed);
  } else {
    // Whatever reached the file past end_ was not acknowledged: cut it off, so that a
    // restart never shows a post that was answered 503. (A rare path; the next batch
    // writes at end_ again either way.)
    const bool short_write = r.written >= 0 && r.written != static_cast<int>(records_.size());
    std::fprintf(stderr, "posts: %s: writing %zu posts at offset %llu failed: %s\n", path_.c_str(),
                 batch.size(), static_cast<unsigned long long>(end_),
                 short_write ? "short write (disk full or file size limit)"
                             : std::strerror(r.written < 0 ? -r.written : -r.synced));
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) {
      std::fprintf(stderr, "posts: %s: truncating back to %llu failed: %s\n", path_.c_str(),
                   static_cast<unsigned long long>(end_), std::strerror(errno));
    }
    counters_.write_errors.fetch_add(1, std::memory_order_relaxed);
  }
  for (pending_post* p : batch) {
    p->status = ok ? 201 : 503;
    coring::runtime::current().post(p->waiter);
  }
}

}  // namespace posts
