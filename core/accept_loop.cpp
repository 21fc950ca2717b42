#include "core/accept_loop.hpp"

#include "core/time.hpp"
#include "core/when_all.hpp"

namespace coring {
namespace {

task<void> wait_then_stop(wait_group* connections, stop_source* timer) {
  co_await connections->wait();
  timer->request_stop();
}

task<void> stop_after(std::chrono::nanoseconds bound, stop_source* target) {
  // Named result: GCC 12 miscompiles an io_op awaited inside an if condition.
  const io_result slept = co_await sleep_for(bound);
  if (slept) target->request_stop();  // the bound passed (not cancelled by wait_then_stop)
}

}  // namespace

task<void> drain_connections(wait_group& connections, stop_source& abort,
                             std::chrono::nanoseconds bound) {
  stop_source timer;
  co_await when_all(wait_then_stop(&connections, &timer), stop_after(bound, &abort).under(&timer));
}

}  // namespace coring
