// The run loop's own costs: awaiting a task (symmetric transfer, pooled frame) and one
// io_uring operation round trip (IORING_OP_NOP), alone and 64 to a turn.

#include <benchmark/benchmark.h>

#include <vector>

#include "core/op.hpp"
#include "core/runtime.hpp"
#include "core/task.hpp"
#include "core/when_all.hpp"

namespace {

using coring::task;

auto nop() {
  return coring::make_op([](io_uring_sqe* s) { io_uring_prep_nop(s); });
}

task<int> leaf(int v) { co_return v + 1; }

task<void> await_tasks(benchmark::State& state) {
  int v = 0;
  for (auto _ : state) {
    v = co_await leaf(v);
    benchmark::DoNotOptimize(v);
  }
}

// Creating, starting, finishing and destroying a child task, awaited from a parent.
void BM_AwaitTask(benchmark::State& state) {
  coring::runtime rt;
  rt.block_on(await_tasks(state));
}
BENCHMARK(BM_AwaitTask);

task<void> await_nops(benchmark::State& state) {
  for (auto _ : state) {
    const coring::io_result r = co_await nop();
    benchmark::DoNotOptimize(r.value);
  }
}

// One SQE, one io_uring_enter (submit and wait), one CQE dispatched to its waiter.
void BM_NopRoundTrip(benchmark::State& state) {
  coring::runtime rt;
  rt.block_on(await_nops(state));
}
BENCHMARK(BM_NopRoundTrip);

task<void> one_nop() { (void)co_await nop(); }

task<void> await_nop_batches(benchmark::State& state, int batch) {
  for (auto _ : state) {
    std::vector<task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(batch));
    for (int i = 0; i < batch; ++i) tasks.push_back(one_nop());
    co_await coring::when_all(std::move(tasks));
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

// `batch` operations in flight per turn: the per-operation cost once io_uring_enter is
// shared (items_per_second is operations).
void BM_NopBatch(benchmark::State& state) {
  coring::runtime rt;
  rt.block_on(await_nop_batches(state, static_cast<int>(state.range(0))));
}
BENCHMARK(BM_NopBatch)->Arg(64);

}  // namespace
