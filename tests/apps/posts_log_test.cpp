// posts' log, store and validation in-process (the code the server runs, from
// posts_core): records, replay at every truncation offset, corruption, escaping, the
// seeded page size, and every validation error.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <tuple>

#include "log_file.hpp"
#include "log_record.hpp"
#include "log_scan.hpp"
#include "post.hpp"
#include "seed.hpp"
#include "tests/apps/posts_support.hpp"
#include "validate.hpp"

namespace posts {
namespace {

std::string image_of(const std::vector<post>& all) {
  std::string image;
  for (const post& p : all) append_record(image, p);
  return image;
}

TEST(PostsLog, RecordsRoundTrip) {
  const std::vector<post> seeded = seed_posts(5);
  const log_scan scan = scan_log(image_of(seeded));
  ASSERT_EQ(scan.posts.size(), 5u);
  EXPECT_FALSE(scan.corrupt);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(to_json(scan.posts[i]), to_json(seeded[i]));
}

TEST(PostsLog, TruncationAtEveryOffsetOfTheLastRecordKeepsTheEarlierRecords) {
  std::vector<post> all = seed_posts(4);
  const std::string earlier = image_of({all.begin(), all.end() - 1});
  const std::string image = image_of(all);
  for (std::size_t cut = earlier.size(); cut < image.size(); ++cut) {
    const log_scan scan = scan_log(std::string_view(image).substr(0, cut));
    ASSERT_EQ(scan.posts.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(scan.valid_end, earlier.size()) << "cut at " << cut;
    EXPECT_FALSE(scan.corrupt) << "a torn tail is not corruption (cut at " << cut << ")";
  }
}

TEST(PostsLog, FlippedByteInAnyEarlierRecordIsCorruption) {
  const std::vector<post> all = seed_posts(4);
  const std::string first = image_of({all.front()});
  const std::string image = image_of(all);
  for (std::size_t at = 0; at < first.size(); at += 7) {
    std::string damaged = image;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    const log_scan scan = scan_log(damaged);
    EXPECT_TRUE(scan.corrupt) << "flip at " << at;
    EXPECT_EQ(scan.valid_end, 0u) << "flip at " << at;
  }
}

TEST(PostsLog, RecordWithAGoodChecksumButAPostValidationRefusesIsBad) {
  for (const auto& [title, author, body] :
       {std::tuple{"t\xff", "a", ""}, std::tuple{"t", "a", "\xc3"}, std::tuple{"", "a", "b"},
        std::tuple{"t", "", "b"}}) {
    post p = seed_posts(1).front();
    p.title = title;
    p.author = author;
    p.body = body;
    const log_scan scan = scan_log(image_of({p}));
    EXPECT_TRUE(scan.posts.empty()) << "title '" << title << "' author '" << author << "'";
    EXPECT_EQ(scan.valid_end, 0u);
  }
}

TEST(PostsLog, ARefusedCorruptLogIsNotLeftLockedAndRepairOpensIt) {
  const coring::test::posts_support::scratch_dir dir;
  const std::vector<post> all = seed_posts(3);
  std::string image = image_of(all);
  image[10] = static_cast<char>(image[10] ^ 1);  // inside the first record: corruption
  std::ofstream(dir.log(), std::ios::binary) << image;
  log_open_options options;
  options.directory = dir.path();
  options.seed_posts = 0;
  std::FILE* warnings = std::tmpfile();
  EXPECT_THROW(open_log(options, warnings), log_error);
  options.repair = true;
  const opened_log repaired = open_log(options, warnings);
  EXPECT_TRUE(repaired.posts.empty());
  EXPECT_EQ(repaired.end, 0u);
  ::close(repaired.fd);
  std::fclose(warnings);
}

TEST(PostsLog, SeededPostsAreDeterministicAndTheDefaultPageIs36To40KB) {
  const std::vector<post> a = seed_posts(1000), b = seed_posts(1000);
  EXPECT_EQ(image_of(a), image_of(b));
  std::size_t page = 2 + 49;  // brackets and commas
  for (std::size_t i = 950; i < 1000; ++i) page += to_json(a[i]).size();
  EXPECT_GE(page, 36'000u);
  EXPECT_LE(page, 40'000u);
}

TEST(PostsJson, EscapesEverythingJsonRequiresAndKeepsUtf8) {
  post p;
  p.id = 7;
  p.title = "q\"b\\s/\n\r\t\b\f";
  p.title += '\0';
  p.title += "\x01\x1f\x7f";
  p.author = "Zoë 日本";
  const std::string json = to_json(p);
  EXPECT_NE(json.find(R"("title":"q\"b\\s/\n\r\t\b\f\u0000\u0001\u001f)"), std::string::npos)
      << json;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  std::string_view title, author;
  ASSERT_EQ(root["title"].get(title), simdjson::SUCCESS);
  ASSERT_EQ(root["author"].get(author), simdjson::SUCCESS);
  EXPECT_EQ(title, p.title);
  EXPECT_EQ(author, p.author);
}

struct validation_case {
  std::string content_type;
  std::string body;
  int status;
  std::string names;  // what the error message must mention
};

TEST(PostsValidation, EveryRejectionHasItsStatusAndNamesTheField) {
  const post_limits limits;
  const std::string ok_rest = R"(,"author":"a","body":"b"})";
  const validation_case cases[] = {
      {"", R"({"title":"t","author":"a","body":"b"})", 415, "Content-Type"},
      {"text/plain", R"({"title":"t","author":"a","body":"b"})", 415, "Content-Type"},
      {"application/json", std::string(16 * 1024 + 1, ' '), 413, "16384"},
      {"application/json", "{\"title\":", 400, "JSON"},
      {"application/json", "", 400, "JSON"},
      {"application/json", "not json", 400, "JSON"},
      {"application/json", "{\"title\":\"\xff\"" + ok_rest, 400, "UTF-8"},
      {"application/json", R"(["title","author"])", 400, "object"},
      {"application/json", R"({"author":"a","body":"b"})", 400, "\"title\""},
      {"application/json", R"({"title":1)" + ok_rest, 400, "\"title\""},
      {"application/json", R"({"title":"")" + ok_rest, 400, "\"title\""},
      {"application/json", R"({"title":"t","author":"","body":"b"})", 400, "\"author\""},
      {"application/json", R"({"title":"t","author":"a"})", 400, "\"body\""},
      {"application/json", R"({"title":"t","author":"a","body":null})", 400, "\"body\""},
      {"application/json", "{\"title\":\"" + std::string(201, 'x') + "\"" + ok_rest, 400,
       "\"title\""},
      {"application/json", R"({"title":"t","author":")" + std::string(101, 'x') + R"(","body":""})",
       400, "\"author\""},
      {"application/json",
       R"({"title":"t","author":"a","body":")" + std::string(10'001, 'x') + "\"}", 400, "\"body\""},
  };
  for (const validation_case& c : cases) {
    const validation v = validate_post(c.content_type, c.body, limits);
    EXPECT_EQ(v.status, c.status) << c.body.substr(0, 80);
    EXPECT_NE(v.error.find(c.names), std::string::npos) << v.error;
  }
  const validation good = validate_post("Application/JSON; charset=utf-8",
                                        R"({"title":"t\"","author":"a","body":"","x":1})", limits);
  EXPECT_EQ(good.status, 0) << good.error;
  EXPECT_EQ(good.value.title, "t\"");
  EXPECT_EQ(good.value.body, "");
}

}  // namespace
}  // namespace posts
