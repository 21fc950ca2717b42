#include "core/recv_multishot.hpp"

#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "core/runtime.hpp"

namespace coring {

multishot_recv::multishot_recv(descriptor d, buffer_ring& ring, unsigned max_queued) noexcept
    : multishot_request(&on_complete),
      socket_(d),
      ring_(ring),
      max_queued_(max_queued == 0 ? 1 : max_queued) {}

multishot_recv::~multishot_recv() {
  // An armed request here means the owner skipped stop(); that is only legal while the
  // runtime is torn down, after the ring (and so the request) is gone.
  ring_.stop_waiting(buffer_wait_);
  drop_queue();
}

void multishot_recv::on_buffer(void* self) noexcept {
  auto* me = static_cast<multishot_recv*>(self);
  if (!me->armed() && !me->finished_) me->arm();
}

void multishot_recv::arm() {
  runtime& rt = runtime::current();
  io_uring_sqe* s = rt.sqe();
  io_uring_prep_recv_multishot(s, socket_.index, nullptr, 0, 0);
  socket_.apply(s);
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = ring_.group_id();
  submitted(s);
}

bool multishot_recv::ready() {
  if (size_ != 0 || finished_) return true;
  if (!armed() && !buffer_wait_.waiting()) arm();  // a pause ends once the queue is drained
  return false;
}

void multishot_recv::cancel(bool timed_out) {
  if (finished_ || cancelling_) return;
  timed_out_ = timed_out;
  if (armed()) {
    cancelling_ = true;
    cancel_request();
  } else {
    ring_.stop_waiting(buffer_wait_);
    finish(timed_out ? -ETIMEDOUT : -ECANCELED);
  }
}

multishot_recv::stop_awaiter multishot_recv::stop() {
  cancel();
  return stop_awaiter{*this};
}

void multishot_recv::finish(int status) {
  finished_ = true;
  terminal_ = status;
  push({status, 0, false});
}

void multishot_recv::push(const entry& e) {
  if (size_ < inline_capacity && !spilled()) {
    inline_[(head_ + size_) % inline_capacity] = e;
    ++size_;
  } else {
    if (spill_ == nullptr) spill_ = std::make_unique<std::vector<entry>>();
    spill_->push_back(e);
  }
}

recv_result multishot_recv::pop() noexcept {
  if (size_ == 0) return recv_result{terminal_, {}};  // finished and drained
  entry e = inline_[head_];
  head_ = static_cast<std::uint8_t>((head_ + 1) % inline_capacity);
  --size_;
  if (spilled()) {  // keep FIFO order: the oldest spilled entry moves inline
    inline_[(head_ + size_) % inline_capacity] = spill_->front();
    ++size_;
    spill_->erase(spill_->begin());
  }
  if (e.has_buffer) {
    return recv_result{e.value,
                       recv_lease(&ring_, e.buffer_id, static_cast<std::uint32_t>(e.value))};
  }
  if (e.heap != nullptr) {
    return recv_result{
        e.value, recv_lease(std::unique_ptr<char[]>(e.heap), static_cast<std::uint32_t>(e.value))};
  }
  return recv_result{e.value, {}};
}

void multishot_recv::copy_queue_out() noexcept {
  auto copy_out = [this](entry& e) noexcept {
    if (!e.has_buffer) return;
    char* copy = new (std::nothrow) char[static_cast<std::size_t>(e.value)];
    if (copy == nullptr) return;  // keep the ring buffer rather than lose the bytes
    std::memcpy(copy, ring_.buffer(e.buffer_id).data(), static_cast<std::size_t>(e.value));
    e.heap = copy;
    e.has_buffer = false;
    ring_.recycle(e.buffer_id);
  };
  for (unsigned i = 0; i < size_; ++i) copy_out(inline_[(head_ + i) % inline_capacity]);
  if (spill_ != nullptr) {
    for (entry& e : *spill_) copy_out(e);
  }
}

void multishot_recv::drop_queue() noexcept {
  while (size_ != 0) {
    recv_result dropped = pop();  // the lease recycles its buffer
    (void)dropped;
  }
}

void multishot_recv::on_complete(completion* self, int res, std::uint32_t flags) noexcept {
  auto* me = static_cast<multishot_recv*>(self);
  const bool more = me->still_armed(flags);

  if ((flags & IORING_CQE_F_BUFFER) != 0) {
    me->ring_.on_selected();
    const auto id = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    // Bytes that arrive while a cancel is on its way are kept: they were read from the
    // socket, and dropping them would lose a request (a graceful shutdown answers it).
    if (res <= 0) {
      me->ring_.recycle(id);
    } else {
      me->push({res, id, true});
      if (more && me->queued() >= me->max_queued_ && !me->cancelling_ && !me->pausing_) {
        me->pausing_ = true;  // the owner is not keeping up: stop taking buffers
        ++runtime::current().stats().recv_pauses;
        me->cancel_request();
      }
      if (me->pausing_) me->copy_queue_out();  // a stalled owner keeps no ring buffer
    }
  } else if (res == -ENOBUFS || (res == -ECANCELED && me->pausing_ && !me->cancelling_)) {
    if (res == -ENOBUFS) ++runtime::current().stats().enobufs_rearms;
    // Not an end: the ring ran dry, or our own pause. The bytes wait in the socket.
  } else if (res <= 0 && !me->finished_) {
    if (res == -ECANCELED && me->timed_out_) res = -ETIMEDOUT;
    me->finish(res);
  }

  if (!more && !me->finished_) {
    const bool paused = std::exchange(me->pausing_, false);
    if (me->cancelling_) {
      me->finish(me->timed_out_ ? -ETIMEDOUT : -ECANCELED);
    } else if (paused) {
      if (me->size_ == 0) me->arm();  // drained while the cancel was on its way
      // else: ready() re-arms once the owner has drained the queue
    } else if (res == -ENOBUFS && me->ring_.available() == 0) {
      me->ring_.wait_for_buffer(me->buffer_wait_);  // re-armed by the next recycle()
    } else {
      me->arm();  // ended early (the kernel chose to stop, or buffers came back): go on
    }
  }

  me->wake(/*result_ready=*/me->size_ != 0, /*settled=*/!me->armed());
}

}  // namespace coring
