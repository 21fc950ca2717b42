#include "store.hpp"

#include <cstring>
#include <mutex>

namespace posts {

post_store::post_store(std::size_t page_size)
    : page_size_(page_size), page_(std::make_shared<const std::string>("[]")) {}

void post_store::append(const std::vector<post>& added) {
  std::vector<std::string> jsons;
  jsons.reserve(added.size());
  for (const post& p : added) jsons.push_back(to_json(p));
  std::unique_lock lock(mutex_);
  for (std::string& j : jsons) json_.push_back(std::move(j));
  lock.unlock();
  // Serialised outside the writer lock (this thread is the only writer); readers keep
  // the previous version until the new one is published.
  std::shared_lock read(mutex_);
  page fresh = std::make_shared<const std::string>(serialise_page(page_size_, UINT64_MAX));
  read.unlock();
  std::unique_lock publish(mutex_);
  page_ = std::move(fresh);
  version_.fetch_add(1, std::memory_order_release);
}

post_store::page post_store::default_page() const {
  std::shared_lock lock(mutex_);
  return page_;
}

std::uint64_t post_store::newest_id() const {
  std::shared_lock lock(mutex_);
  return json_.size();
}

// The index range [first, last) of the page, newest (last - 1) first. Caller holds a lock.
namespace {
struct span {
  std::size_t first, last;
};
span page_span(std::size_t count, std::size_t limit, std::uint64_t before) {
  const std::size_t last = before - 1 < count ? static_cast<std::size_t>(before - 1) : count;
  return {last > limit ? last - limit : 0, last};
}
}  // namespace

std::string post_store::serialise_page(std::size_t limit, std::uint64_t before) const {
  const span s = page_span(json_.size(), limit, before);
  std::string out = "[";
  for (std::size_t i = s.last; i > s.first; --i) {
    if (i != s.last) out += ',';
    out += json_[i - 1];
  }
  out += ']';
  return out;
}

void post_store::write_page(coring::http::response& res, std::size_t limit,
                            std::uint64_t before) const {
  std::shared_lock lock(mutex_);
  const span s = page_span(json_.size(), limit, before);
  std::size_t length = 2;
  for (std::size_t i = s.first; i < s.last; ++i) length += json_[i].size() + 1;
  if (s.last > s.first) --length;  // n - 1 commas
  char* p = res.body_in_place(length);
  if (p == nullptr) return;
  *p++ = '[';
  for (std::size_t i = s.last; i > s.first; --i) {
    if (i != s.last) *p++ = ',';
    std::memcpy(p, json_[i - 1].data(), json_[i - 1].size());
    p += json_[i - 1].size();
  }
  *p = ']';
}

bool post_store::write_post(coring::http::response& res, std::uint64_t id) const {
  std::shared_lock lock(mutex_);
  if (id == 0 || id > json_.size()) return false;
  res.body(json_[id - 1]);
  return true;
}

}  // namespace posts
