// kv's store, tested directly: the growth path and the limits the HTTP tests cannot
// reach cheaply (tables of several MiB per stripe).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "store.hpp"

namespace {

std::string key_for(int i) { return "key-" + std::to_string(i); }
std::string value_for(int i, std::size_t size) {
  std::string v(size, static_cast<char>('a' + i % 26));
  v.replace(0, std::to_string(i).size(), std::to_string(i));
  return v;
}

// 1,000-byte values make a stripe's first table ~1 MiB and its second ~2 MiB, so 40,000
// keys (~625 per stripe, growth at 512) take every stripe through the huge-page-aligned
// allocation; every entry must survive the rehash with its value intact.
TEST(KvStore, GrowingPastHugePageSizedTablesKeepsEveryEntry) {
  kv::store_options options;
  options.max_value = 1000;
  options.ttl = std::chrono::milliseconds{0};
  kv::store table(options);
  const std::size_t first_slots = table.slot_count();
  constexpr int keys = 40'000;
  for (int i = 0; i < keys; ++i) {
    ASSERT_EQ(table.put(key_for(i), value_for(i, 1000), 0), kv::store::put_result::stored) << i;
  }
  EXPECT_EQ(table.size(), static_cast<std::size_t>(keys));
  EXPECT_GE(table.slot_count(), 2 * first_slots);  // every stripe grew at least once
  for (int i = 0; i < keys; ++i) {
    std::string got;
    ASSERT_TRUE(table.get(key_for(i), 0, [&](std::string_view v) { got = v; })) << i;
    ASSERT_EQ(got, value_for(i, 1000)) << i;
  }
  // Deleting every other key leaves the rest reachable (backward-shift deletion).
  for (int i = 0; i < keys; i += 2) ASSERT_TRUE(table.erase(key_for(i))) << i;
  for (int i = 0; i < keys; ++i) {
    EXPECT_EQ(table.get(key_for(i), 0, [](std::string_view) {}), i % 2 == 1) << i;
  }
  EXPECT_EQ(table.size(), static_cast<std::size_t>(keys / 2));
}

// Resident memory of this process, from /proc/self/statm.
std::size_t resident_bytes() {
  unsigned long size = 0, resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

// Only grown tables are populated: an empty store with 4 KiB values (64 stripes x 1,024
// slots x ~4 KiB = 272 MB of table) must not take that memory before a key arrives.
TEST(KvStore, AnEmptyStoreDoesNotTouchItsTable) {
  kv::store_options options;
  options.max_value = 4096;
  const std::size_t before = resident_bytes();
  ASSERT_GT(before, 0u);
  kv::store table(options);
  const std::size_t after = resident_bytes();
  EXPECT_LT(after - before, std::size_t{32} << 20) << "resident grew by " << (after - before);
  EXPECT_EQ(table.put("k", std::string(4096, 'v'), 0), kv::store::put_result::stored);
}

TEST(KvStore, MaxKeysRefusesNewKeysButStillOverwrites) {
  kv::store_options options;
  options.max_keys = 3;
  kv::store table(options);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(table.put(key_for(i), "v", 0), kv::store::put_result::stored);
  EXPECT_EQ(table.put(key_for(3), "v", 0), kv::store::put_result::full);
  EXPECT_EQ(table.put(key_for(1), "new", 0), kv::store::put_result::stored);
  std::string got;
  EXPECT_TRUE(table.get(key_for(1), 0, [&](std::string_view v) { got = v; }));
  EXPECT_EQ(got, "new");
  EXPECT_EQ(table.size(), 3u);
}

TEST(KvStore, EntriesExpireTtlAfterTheirLastWrite) {
  kv::store_options options;
  options.ttl = std::chrono::milliseconds{100};
  kv::store table(options);
  table.put("a", "1", 1'000);
  EXPECT_TRUE(table.get("a", 1'099, [](std::string_view) {}));
  table.put("a", "2", 1'050);  // rewritten: lives until 1,150
  EXPECT_TRUE(table.get("a", 1'120, [](std::string_view) {}));
  EXPECT_FALSE(table.get("a", 1'150, [](std::string_view) {}));
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.expired(), 1u);
}

}  // namespace
