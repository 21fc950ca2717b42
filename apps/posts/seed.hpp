#pragma once
// seed: the posts an empty data directory starts with — the same bytes on every machine
// (a fixed pseudo-random sequence, fixed timestamps), sized so that a page of 50 is
// about 38 KB of JSON, like the page of the pliny benchmark.

#include <cstddef>
#include <vector>

#include "post.hpp"

namespace posts {

std::vector<post> seed_posts(std::size_t count);

}  // namespace posts
