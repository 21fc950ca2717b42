#pragma once
// frame_pool: a per-thread free list per size class for coroutine frames.
//
// Every task frame is allocated through here (promise_type::operator new), so a
// server in steady state recycles frames instead of calling malloc per request.
// Spawned frames (a server's connections, which wait for long) are carved from
// per-thread slabs, side by side, so each costs exactly its size; task frames come from
// malloc, and trim() gives back those a burst left unused (frame_pool.cpp says why).
// Frames freed on another thread simply join that thread's lists; runtimes share no
// tasks across threads, and a thread frees its slabs at exit only when it freed as
// many frames as it handed out.
// Under AddressSanitizer the pool is bypassed so use-after-free of a frame is caught.

#include <cstddef>

namespace coring::frame_pool {

void* allocate(std::size_t size);
void deallocate(void* frame, std::size_t size) noexcept;
// For spawned frames (runtime::spawn), which may wait for long: from the slabs.
void* allocate_lasting(std::size_t size);
void deallocate_lasting(void* frame, std::size_t size) noexcept;

// Frees the task frames that stayed in the free lists since the last call (a server's
// once-a-second ticker calls it); returns how many.
std::size_t trim() noexcept;

// Frames currently handed out by this thread (for tests and leak checks).
std::size_t live_frames() noexcept;

}  // namespace coring::frame_pool
