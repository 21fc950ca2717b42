#pragma once
// cut_input: how the stream-parser fuzz targets read their input — `count` cut
// positions of 2 bytes each (little-endian, taken modulo the stream's length + 1),
// then the stream itself — so the fuzzer chooses the bytes and where receives split
// them alike.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace coring::fuzz {

struct cut_input {
  std::string wire;
  std::vector<std::size_t> cuts;  // ascending
};

// `data` from its first cut position on (the caller consumed its own header bytes).
inline cut_input read_cut_input(const std::uint8_t* data, std::size_t size, std::size_t count) {
  std::size_t at = 0;
  std::vector<std::uint16_t> raw;
  for (std::size_t i = 0; i < count && at + 2 <= size; ++i, at += 2) {
    raw.push_back(static_cast<std::uint16_t>(data[at] | (data[at + 1] << 8)));
  }
  cut_input in;
  in.wire.assign(reinterpret_cast<const char*>(data) + at, size - at);
  for (std::uint16_t c : raw) in.cuts.push_back(c % (in.wire.size() + 1));
  std::sort(in.cuts.begin(), in.cuts.end());
  return in;
}

}  // namespace coring::fuzz
