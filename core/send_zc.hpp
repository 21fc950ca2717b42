#pragma once
// send_zc: IORING_OP_SEND_ZC — the kernel sends straight from our pages.
//
// Two CQEs: the send result (with IORING_CQE_F_MORE), then a notification
// (IORING_CQE_F_NOTIF) once the kernel no longer references the buffer. The waiter is
// resumed only after the notification, so "the buffer stays valid until then" holds
// by construction. With IORING_SEND_ZC_REPORT_USAGE the notification says whether the
// kernel copied after all (always so on loopback): zero_copy_policy turns zero copy
// off for a socket when that happens, and uses it only above a size threshold.

#include <liburing.h>

#include <algorithm>
#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "core/completion.hpp"
#include "core/descriptor.hpp"
#include "core/result.hpp"

// liburing 2.3 predates these (Linux 6.2 ABI).
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

namespace coring {

struct zc_result {
  io_result sent;
  bool copied = false;  // the kernel reported it copied the data anyway
};

class send_zc_op : private completion {
 public:
  // LIFETIME: data must stay valid until co_await returns (after the notification CQE).
  send_zc_op(descriptor d, const void* data, std::size_t length) noexcept
      : completion{&on_complete}, socket_(d), data_(data), length_(length) {}

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiter);
  zc_result await_resume() const noexcept { return {io_result{result_}, copied_}; }

 private:
  static void on_complete(completion* self, int res, std::uint32_t flags) noexcept;
  descriptor socket_;
  const void* data_;
  std::size_t length_;
  std::coroutine_handle<> waiter_;
  int result_ = 0;
  bool copied_ = false;
};

inline send_zc_op send_zc(descriptor d, const void* data, std::size_t length) noexcept {
  return send_zc_op(d, data, length);
}

// Per-socket choice between send and send_zc.
class zero_copy_policy {
 public:
  // Below this, copying is cheaper than pinning pages and a second CQE (measured:
  // see bench/README.md; tunable per server).
  static constexpr std::size_t default_threshold = 16 * 1024;

  explicit zero_copy_policy(std::size_t threshold = default_threshold) noexcept
      : threshold_(static_cast<std::uint32_t>(std::min<std::size_t>(threshold, UINT32_MAX))) {}
  bool use_for(std::size_t length) const noexcept { return enabled_ && length >= threshold_; }
  void observe(const zc_result& r) noexcept {
    if (r.copied) enabled_ = false;  // this route copies (loopback, no SG): stop paying for ZC
  }
  bool enabled() const noexcept { return enabled_; }

 private:
  std::uint32_t threshold_;  // 32 bits: a connection carries this policy while idle
  bool enabled_ = true;
};

}  // namespace coring
