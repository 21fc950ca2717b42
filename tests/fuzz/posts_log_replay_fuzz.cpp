// Fuzz target: posts' log replay (open_log) on a fuzzer-made log file, with and without
// repair. Opening either replays a prefix of valid records (ids 1, 2, 3, ..., each
// post valid: UTF-8 fields, title and author not empty), truncating what follows it
// when that is a torn tail (or anything, when repairing), or refuses a corrupt log with
// log_error and leaves the file untouched. The replayed posts, encoded again, are
// exactly the bytes kept.
//
// Input: one mode byte, then the log. Mode bit 0 clear: the rest is the file as is.
// Set: the rest is chunks of [kind][length][length bytes]; a chunk of even kind is a
// record that append_record encodes (so its checksum holds, and the fuzzer reaches the
// layout and content checks behind it) with the id the sequence expects (kind & 2:
// that id + kind / 4, to break the sequence), its payload split into title / author /
// body by its first two bytes; an odd kind appends the bytes verbatim.

#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "log_file.hpp"
#include "log_record.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "posts log replay invariant broken: %s (%s)\n", what, detail.c_str());
  std::abort();
}

posts::post record_from(std::string_view payload, std::uint64_t id) {
  posts::post p;
  p.id = id;
  p.created_ms = 1'767'225'600'000 + static_cast<std::int64_t>(id);
  if (payload.size() < 2) return p;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(payload[i]); };
  std::string_view rest = payload.substr(2);
  const std::size_t title = byte(0) % (rest.size() + 1);
  p.title.assign(rest.substr(0, title));
  rest.remove_prefix(title);
  const std::size_t author = byte(1) % (rest.size() + 1);
  p.author.assign(rest.substr(0, author));
  p.body.assign(rest.substr(author));
  return p;
}

std::string framed_log(std::string_view in) {
  std::string log;
  std::uint64_t next_id = 1;
  while (in.size() >= 2) {
    const auto kind = static_cast<std::uint8_t>(in[0]);
    const std::size_t length =
        std::min<std::size_t>(static_cast<std::uint8_t>(in[1]), in.size() - 2);
    const std::string_view payload = in.substr(2, length);
    in.remove_prefix(2 + length);
    if (kind & 1) {
      log += payload;
      continue;
    }
    const std::uint64_t id = (kind & 2) ? next_id + kind / 4 : next_id;
    posts::append_record(log, record_from(payload, id));
    ++next_id;
  }
  return log;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void check_post(const posts::post& p, std::uint64_t id) {
  if (p.id != id) fail("id out of sequence", std::to_string(p.id));
  for (const std::string* field : {&p.title, &p.author, &p.body}) {
    if (!simdjson::validate_utf8(field->data(), field->size()))
      fail("invalid UTF-8 replayed", *field);
  }
  if (p.title.empty() || p.author.empty()) fail("empty title or author replayed", p.title);
}

// A successful open kept exactly the encoded posts, as a prefix of `image`.
void check_opened(const posts::opened_log& log, const std::string& image) {
  ::close(log.fd);  // open_log leaves it to the process exit
  std::string encoded;
  for (std::size_t i = 0; i < log.posts.size(); ++i) {
    check_post(log.posts[i], i + 1);
    posts::append_record(encoded, log.posts[i]);
  }
  if (encoded.size() != log.end) fail("end differs from the posts' bytes", std::to_string(log.end));
  if (image.compare(0, encoded.size(), encoded) != 0) fail("posts are not a prefix of the log", "");
  if (read_file(log.path) != encoded) fail("file not truncated to the valid records", log.path);
}

void replay(const std::string& directory, const std::string& image, std::FILE* warnings) {
  const std::string path = directory + "/posts.log";
  std::ofstream(path, std::ios::binary)
      .write(image.data(), static_cast<std::streamsize>(image.size()));
  posts::log_open_options options;
  options.directory = directory;
  options.seed_posts = 0;
  std::size_t kept = 0;
  try {
    const posts::opened_log log = posts::open_log(options, warnings);
    check_opened(log, image);
    kept = log.posts.size();
  } catch (const posts::log_error& e) {
    if (read_file(path) != image) fail("a refused log was changed", e.what());
    if (std::string_view(e.what()).find("corrupt record at offset") == std::string_view::npos) {
      fail("log_error without the corrupt offset", e.what());
    }
    kept = SIZE_MAX;
  }
  options.repair = true;  // on what the first open left: repairs, or changes nothing
  const posts::opened_log repaired = posts::open_log(options, warnings);
  check_opened(repaired, image);
  if (kept != SIZE_MAX && repaired.posts.size() != kept) fail("reopening changed the posts", "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::FILE* warnings = std::fopen("/dev/null", "w");
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string image = (data[0] & 1) ? framed_log(rest) : std::string(rest);
  std::string directory = (std::filesystem::temp_directory_path() / "posts-fuzz-XXXXXX").string();
  if (::mkdtemp(directory.data()) == nullptr) fail("mkdtemp", directory);
  replay(directory, image, warnings);
  std::filesystem::remove_all(directory);
  return 0;
}
