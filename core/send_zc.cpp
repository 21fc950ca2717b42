#include "core/send_zc.hpp"

#include <sys/socket.h>

#include "core/runtime.hpp"

namespace coring {

void send_zc_op::await_suspend(std::coroutine_handle<> waiter) {
  runtime& rt = runtime::current();
  io_uring_sqe* s = rt.sqe();
  io_uring_prep_send_zc(s, socket_.index, data_, length_, MSG_NOSIGNAL,
                        IORING_SEND_ZC_REPORT_USAGE);
  socket_.apply(s);
  io_uring_sqe_set_data(s, static_cast<completion*>(this));
  waiter_ = waiter;
  ++rt.stats().zc_sends;
}

void send_zc_op::on_complete(completion* self, int res, std::uint32_t flags) noexcept {
  auto* op = static_cast<send_zc_op*>(self);
  if ((flags & IORING_CQE_F_NOTIF) != 0) {
    // The kernel is done with the buffer.
    op->copied_ = (static_cast<std::uint32_t>(res) & IORING_NOTIF_USAGE_ZC_COPIED) != 0;
    if (op->copied_) ++runtime::current().stats().zc_copied;
    op->waiter_.resume();
    return;
  }
  op->result_ = res;
  if ((flags & IORING_CQE_F_MORE) == 0) op->waiter_.resume();  // no notification will follow
}

}  // namespace coring
