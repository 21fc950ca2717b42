// kv's store (apps/kv/store.hpp) with a million keys, looked up in random order as the
// seed's workload does: every GET is a cache miss on the key's slot. Prefetching a
// batch's ten slots before reading them (what kv's on_receive hint does for a
// pipelined batch) lets those misses overlap.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "apps/kv/store.hpp"

namespace {

constexpr std::size_t key_space = 1'000'000;
constexpr std::int64_t now_ms = 1'000;

struct loaded_store {
  kv::store table{kv::store_options{}};
  // Keys in random order, read front to back: only the table's slots miss the cache
  // (in kv the key comes from the request, already in cache).
  std::vector<std::string> walk;

  loaded_store() {
    for (std::size_t i = 0; i < key_space; ++i) table.put(std::to_string(i), "42", now_ms);
    std::mt19937 rng(7);
    walk.reserve(key_space);
    for (std::size_t i = 0; i < key_space; ++i) walk.push_back(std::to_string(rng() % key_space));
  }
};

loaded_store& shared() {
  static loaded_store s;  // built once, outside the timed loops
  return s;
}

void BM_KvGetRandomKey(benchmark::State& state) {
  loaded_store& s = shared();
  std::size_t next = 0, hits = 0;
  for (auto _ : state) {
    const std::string& key = s.walk[next++ % key_space];
    hits += s.table.get(key, now_ms, [](std::string_view v) { benchmark::DoNotOptimize(v); });
  }
  if (hits != static_cast<std::size_t>(state.iterations()))
    state.SkipWithError("a key was missing");
}
BENCHMARK(BM_KvGetRandomKey);

void BM_KvPutRandomKey(benchmark::State& state) {
  loaded_store& s = shared();
  std::size_t next = 0;
  for (auto _ : state) {
    const std::string& key = s.walk[next++ % key_space];
    if (s.table.put(key, "43", now_ms) != kv::store::put_result::stored) {
      state.SkipWithError("put refused");
      break;
    }
  }
}
BENCHMARK(BM_KvPutRandomKey);

// Ten GETs per iteration, read one after another or after prefetching all ten.
void get_batches(benchmark::State& state, bool prefetch) {
  loaded_store& s = shared();
  std::size_t next = 0, hits = 0;
  for (auto _ : state) {
    const std::size_t first = next;
    next += 10;
    if (prefetch) {
      for (std::size_t i = first; i < next; ++i) s.table.prefetch(s.walk[i % key_space]);
    }
    for (std::size_t i = first; i < next; ++i) {
      hits += s.table.get(s.walk[i % key_space], now_ms,
                          [](std::string_view v) { benchmark::DoNotOptimize(v); });
    }
  }
  if (hits != 10 * static_cast<std::size_t>(state.iterations()))
    state.SkipWithError("a key was missing");
  state.SetItemsProcessed(state.iterations() * 10);
}

void BM_KvGetBatchOf10(benchmark::State& state) { get_batches(state, false); }
BENCHMARK(BM_KvGetBatchOf10);

void BM_KvGetBatchOf10Prefetched(benchmark::State& state) { get_batches(state, true); }
BENCHMARK(BM_KvGetBatchOf10Prefetched);

}  // namespace
