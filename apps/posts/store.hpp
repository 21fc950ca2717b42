#pragma once
// store: every post, as its serialised JSON object, shared by all threads.
//
// Posts are appended by the log's thread after the sync that made them durable, so a
// reader never sees a post that a crash could take back. The default page (the newest
// `page_size` posts) is serialised once per append and published as an immutable,
// versioned string: readers take the current version and keep it for as long as their
// send needs it, while the next append publishes a new one.

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "http/response.hpp"
#include "post.hpp"

namespace posts {

class post_store {
 public:
  using page = std::shared_ptr<const std::string>;

  explicit post_store(std::size_t page_size);

  // Appends posts whose ids continue the sequence (1, 2, ...): log thread only.
  void append(const std::vector<post>& added);

  std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }
  // The current default page (takes a lock: callers cache it per version()).
  page default_page() const;
  std::size_t page_size() const noexcept { return page_size_; }
  std::uint64_t newest_id() const;

  // Writes the JSON array of at most `limit` posts with id < before, newest first,
  // straight into the response.
  void write_page(coring::http::response& res, std::size_t limit, std::uint64_t before) const;
  // Writes post `id`; false if there is none.
  bool write_post(coring::http::response& res, std::uint64_t id) const;

 private:
  std::string serialise_page(std::size_t limit, std::uint64_t before) const;

  const std::size_t page_size_;
  mutable std::shared_mutex mutex_;  // guards json_ and page_
  std::vector<std::string> json_;    // post id N at index N - 1
  page page_;
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace posts
