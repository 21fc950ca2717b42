#pragma once
// frame_pool: a per-thread free list per size class for coroutine frames.
//
// Every task frame is allocated through here (promise_type::operator new), so a
// server in steady state recycles frames instead of calling malloc per request.
// Frames are carved from per-thread slabs, side by side, so the frames that idle
// connections keep cost exactly their size (frame_pool.cpp says why that matters).
// Frames freed on another thread simply join that thread's lists; runtimes share no
// tasks across threads, and a thread frees its slabs at exit only when it freed as
// many frames as it handed out.
// Under AddressSanitizer the pool is bypassed so use-after-free of a frame is caught.

#include <cstddef>

namespace coring::frame_pool {

void* allocate(std::size_t size);
void deallocate(void* frame, std::size_t size) noexcept;

// Frames currently handed out by this thread (for tests and leak checks).
std::size_t live_frames() noexcept;

}  // namespace coring::frame_pool
