// The value grammar every binary shares (core/cli.hpp).

#include "core/cli.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

TEST(Cli, DurationsInEveryUnit) {
  EXPECT_EQ(coring::parse_duration("100us"), std::chrono::nanoseconds(100us));
  EXPECT_EQ(coring::parse_duration("1500ms"), std::chrono::nanoseconds(1500ms));
  EXPECT_EQ(coring::parse_duration("1.5s"), std::chrono::nanoseconds(1500ms));
  EXPECT_EQ(coring::parse_duration("30"), std::chrono::nanoseconds(30s));  // bare: seconds
  EXPECT_EQ(coring::parse_duration("2m"), std::chrono::nanoseconds(120s));
  EXPECT_EQ(coring::parse_duration("1h"), std::chrono::nanoseconds(3600s));
  EXPECT_EQ(coring::parse_duration("250ns"), std::chrono::nanoseconds(250));
  for (const char* bad : {"", "5x", "s", "-1s", "1.5.s", "1 s", "inf", "nan", "99999999999h"})
    EXPECT_FALSE(coring::parse_duration(bad).has_value()) << bad;
}

TEST(Cli, SizesInBytesKibAndMib) {
  EXPECT_EQ(coring::parse_size("4096"), 4096u);
  EXPECT_EQ(coring::parse_size("16k"), 16u * 1024);
  EXPECT_EQ(coring::parse_size("16KiB"), 16u * 1024);
  EXPECT_EQ(coring::parse_size("1m"), 1024u * 1024);
  EXPECT_EQ(coring::parse_size("1.5k"), 1536u);
  for (const char* bad : {"", "16x", "k", "-4", "0.3", "1 k"})
    EXPECT_FALSE(coring::parse_size(bad).has_value()) << bad;
}

TEST(Cli, DurationsAreFormattedInTheirLargestExactUnit) {
  EXPECT_EQ(coring::format_duration(1500ms), "1500ms");
  EXPECT_EQ(coring::format_duration(2s), "2s");
  EXPECT_EQ(coring::format_duration(200us), "200us");
  EXPECT_EQ(coring::format_duration(60min), "1h");
  EXPECT_EQ(coring::format_duration(0s), "0");
}

}  // namespace
