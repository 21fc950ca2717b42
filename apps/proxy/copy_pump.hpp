#pragma once
// copy_pump: one direction of a session through a user-space buffer: recv up to
// `buffer_size` bytes, send them all on, repeat. For comparison with splice mode,
// and the fallback when the pipe pool is empty. EOF, errors and `d` as in splice_pump.

#include <cstddef>

#include "apps/proxy/flow.hpp"
#include "core/descriptor.hpp"
#include "core/task.hpp"

namespace proxy {

coring::task<void> copy_pump(coring::descriptor from, coring::descriptor to,
                             std::size_t buffer_size, flow* f, direction* d);

}  // namespace proxy
