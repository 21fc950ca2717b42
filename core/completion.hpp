#pragma once
// completion: what a CQE's user_data points at.
//
// Every submission sets user_data to a completion (or to 0 when nobody cares about
// the CQE, e.g. an ASYNC_CANCEL request). The run loop calls on_cqe with the CQE's
// res and flags; the object decides what to do (resume a waiter, queue a multishot
// result, ...). A plain function pointer keeps this one indirect call, no vtable.

#include <cstdint>

namespace coring {

struct completion {
  using handler = void (*)(completion* self, int res, std::uint32_t flags) noexcept;
  handler on_cqe;
};

}  // namespace coring
