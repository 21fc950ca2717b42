#include "apps/proxy/copy_pump.hpp"

#include <sys/socket.h>

#include <memory>

#include "core/io.hpp"

namespace proxy {

using coring::io_result;

coring::task<void> copy_pump(coring::descriptor from, coring::descriptor to,
                             std::size_t buffer_size, flow* f) {
  // LIFETIME: owned by this frame, which awaits every recv/send on it to its CQE.
  std::unique_ptr<char[]> buffer(new char[buffer_size]);
  for (;;) {
    io_result n = co_await coring::recv(from, buffer.get(), buffer_size);
    if (n.value == 0) {
      co_await coring::shutdown(to, SHUT_WR);
      co_return;
    }
    if (!n) {
      f->fail();
      co_return;
    }
    f->moved();
    f->in_hand = static_cast<std::size_t>(n.value);
    f->stats->user_space_bytes += static_cast<std::size_t>(n.value);
    std::size_t sent = 0;
    while (sent < static_cast<std::size_t>(n.value)) {
      io_result m =
          co_await coring::send(to, buffer.get() + sent, static_cast<std::size_t>(n.value) - sent);
      if (m.value <= 0) {
        f->fail();
        co_return;
      }
      sent += static_cast<std::size_t>(m.value);
      f->written += static_cast<std::size_t>(m.value);
    }
    f->in_hand = 0;
  }
}

}  // namespace proxy
