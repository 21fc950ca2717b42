// Fuzz target: kv's store driven by a fuzzer-chosen sequence of get / put / erase /
// clock advance / sweep against a std::unordered_map model of the same semantics
// (entries expire `ttl` after their last write; a read of an expired entry removes it;
// a new key beyond max_keys is refused). Aborts on the first difference.
//
// Input: two bytes of options (TTL 0, 1, 4 or 16 ms; max_keys 1, 2, 8 or 64), then
// operations. A store maps megabytes of slots, so one store per option pair is kept
// across inputs (emptied after each: every key the model holds is erased, and the
// store must then be empty); only partial sweeps see the state left by earlier inputs
// (their cursor), and the model reconciles those whatever they removed.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>

#include "store.hpp"

namespace {

struct entry {
  std::string value;
  std::int64_t expires_ms;
};

[[noreturn]] void fail(const char* what, const std::string& key) {
  std::fprintf(stderr, "kv store differs from the model: %s (key '%s')\n", what, key.c_str());
  std::abort();
}

class model_check {
 public:
  model_check(kv::store& s, const kv::store_options& o)
      : store_(s), options_(o), expired_(s.expired()) {}
  // Empties the store for the next input.
  ~model_check() {
    for (const auto& [key, e] : model_) store_.erase(key);
    if (store_.size() != 0) fail("keys left that the model does not know", "");
  }

  void get(const std::string& key) {
    std::string seen;
    const bool hit = store_.get(key, now_, [&](std::string_view v) { seen.assign(v); });
    const auto it = model_.find(key);
    bool expected = it != model_.end();
    if (expected && expired(it->second)) {
      model_.erase(it);
      ++expired_;
      expected = false;
    }
    if (hit != expected) fail(hit ? "get hit a missing key" : "get missed a live key", key);
    if (hit && seen != model_.at(key).value) fail("get returned another value", key);
  }
  void put(const std::string& key, const std::string& value) {
    const auto it = model_.find(key);
    const bool full = it == model_.end() && model_.size() >= options_.max_keys;
    if (it != model_.end() && expired(it->second)) ++expired_;
    const bool stored = store_.put(key, value, now_) == kv::store::put_result::stored;
    if (stored == full) fail(full ? "put past max_keys" : "put refused below max_keys", key);
    if (stored) model_[key] = {value, now_ + options_.ttl.count()};
  }
  void erase(const std::string& key) {
    const bool expected = model_.erase(key) == 1;
    if (store_.erase(key) != expected) fail("erase disagreed", key);
  }
  void advance(std::int64_t ms) { now_ += ms; }
  // A sweep of any budget removes some expired entries; reading every expired key of
  // the model afterwards removes the rest, so both sides agree again.
  void sweep(std::size_t budget) {
    store_.sweep(now_, budget);
    std::vector<std::string> dead;
    for (const auto& [key, e] : model_) {
      if (expired(e)) dead.push_back(key);
    }
    for (const std::string& key : dead) {
      if (store_.get(key, now_, [](std::string_view) {})) fail("expired key still read", key);
      model_.erase(key);
      ++expired_;
    }
  }
  void check_totals() const {
    if (store_.size() != model_.size()) fail("size differs", "");
    if (store_.expired() != expired_) fail("expired count differs", "");
  }

 private:
  bool expired(const entry& e) const { return options_.ttl.count() != 0 && e.expires_ms <= now_; }

  kv::store& store_;
  kv::store_options options_;
  std::unordered_map<std::string, entry> model_;
  std::int64_t now_ = 1000;
  std::uint64_t expired_ = 0;
};

// Keys from a small alphabet, so operations meet the same keys often.
std::string key_from(FuzzedDataProvider& in, std::size_t max_key) {
  const std::size_t length = in.ConsumeIntegralInRange<std::size_t>(1, max_key);
  std::string key;
  for (std::size_t i = 0; i < length; ++i)
    key += static_cast<char>('a' + in.ConsumeIntegral<std::uint8_t>() % 3);
  return key;
}

}  // namespace

// The store for an option pair, made on first use.
kv::store& store_for(const kv::store_options& o, std::size_t ttl_index, std::size_t keys_index) {
  static std::unique_ptr<kv::store> stores[4][4];
  std::unique_ptr<kv::store>& s = stores[ttl_index][keys_index];
  if (!s) s = std::make_unique<kv::store>(o);
  return *s;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr int ttls[] = {0, 1, 4, 16};
  static constexpr std::size_t key_limits[] = {1, 2, 8, 64};
  FuzzedDataProvider in(data, size);
  const std::size_t ttl_index = in.ConsumeIntegralInRange<std::size_t>(0, 3);
  const std::size_t keys_index = in.ConsumeIntegralInRange<std::size_t>(0, 3);
  kv::store_options o;
  o.max_key = 4;
  o.max_value = 8;
  o.ttl = std::chrono::milliseconds(ttls[ttl_index]);
  o.max_keys = key_limits[keys_index];
  model_check check(store_for(o, ttl_index, keys_index), o);
  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
        check.get(key_from(in, o.max_key));
        break;
      case 1: {
        const std::string key = key_from(in, o.max_key);
        check.put(key, in.ConsumeRandomLengthString(o.max_value));
        break;
      }
      case 2:
        check.erase(key_from(in, o.max_key));
        break;
      case 3:
        check.advance(in.ConsumeIntegralInRange<std::int64_t>(0, 8));
        break;
      case 4:
        check.sweep(
            in.ConsumeIntegralInRange<std::size_t>(0, 1024));  // a full table is 64 Ki slots
        break;
      default:
        check.check_totals();
        break;
    }
  }
  check.check_totals();
  return 0;
}
