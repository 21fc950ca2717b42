// posts: a durable posts API (the pliny /posts benchmark, seed 004).
//
//   GET /posts → the newest --page posts as a JSON array (~38 KB with the seeded posts),
//   paging with ?limit=N&before=ID; GET /posts/{id}; POST /posts → 201 once the post is
//   in the append-only log and synced (group commit on thread 0). See README.md.

#include <signal.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "core/threads.hpp"
#include "http/launch.hpp"
#include "log_file.hpp"
#include "post_log.hpp"
#include "routes.hpp"
#include "store.hpp"

namespace {

struct posts_flags {
  posts::log_open_options log;
  posts::post_limits limits;
  std::size_t page = 50;
};

posts_flags take_posts_flags(coring::cli& flags) {
  posts_flags f;
  if (auto v = flags.take_string("data")) f.log.directory = *v;
  if (f.log.directory.empty()) flags.fail("--data must name a directory");
  f.log.repair = flags.take_switch("repair");
  if (auto v = flags.take_number("page", 1, 200)) f.page = *v;
  if (auto v = flags.take_number("seed-posts", 0, 10'000'000)) f.log.seed_posts = *v;
  if (auto v = flags.take_size("max-post-bytes")) f.limits.max_post_bytes = *v;
  if (auto v = flags.take_number("title-limit", 1, 1 << 20)) f.limits.title = *v;
  if (auto v = flags.take_number("author-limit", 1, 1 << 20)) f.limits.author = *v;
  if (auto v = flags.take_number("body-limit", 0, 16 << 20)) f.limits.body = *v;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  coring::http::server_config config;
  config.port = 5000;
  config.name = "posts";
  coring::cli flags(
      argc, argv,
      "usage: posts [--port 5000] [--threads N] [--data DIR] [--page 50] [--seed-posts 1000]\n"
      "             [--max-post-bytes 16k] [--repair] [options]\n"
      "A durable posts API: GET /posts[?limit=N&before=ID], GET /posts/{id},\n"
      "POST /posts (201 once synced to the log in DIR), GET /stats.\n\n"
      "  --data DIR               log directory, created if missing (default ./posts-data)\n"
      "  --repair                 truncate a corrupt log at the first bad record\n"
      "  --page N                 posts on the default page, 1-200 (default 50)\n"
      "  --seed-posts N           posts an empty log starts with (default 1000)\n"
      "  --max-post-bytes N       POST body limit → 413 (default 16k)\n"
      "  --title-limit N          title bytes (default 200) → 400\n"
      "  --author-limit N         author bytes (default 100) → 400\n"
      "  --body-limit N           body bytes (default 10000) → 400\n" +
          coring::http::server_flags_help(config));
  coring::http::take_server_flags(flags, config);
  const posts_flags options = take_posts_flags(flags);
  flags.finish();
  // A write past RLIMIT_FSIZE must fail with EFBIG (→ 503), not kill the process.
  ::signal(SIGXFSZ, SIG_IGN);

  posts::opened_log opened;
  try {
    opened = posts::open_log(options.log, stderr);
  } catch (const posts::log_error& e) {
    std::fprintf(stderr, "posts: error: %s\n", e.what());
    return 1;
  }
  posts::post_store store(options.page);
  store.append(opened.posts);
  posts::post_log log(opened.fd, opened.end, opened.posts.size() + 1, store, opened.path);
  opened.posts = {};
  posts::app app{store, log, nullptr, options.limits};

  const unsigned threads = config.thread_count();
  std::vector<std::unique_ptr<posts::thread_routes>> per_thread(threads);
  const int status =
      coring::http::run_server(config, [&](unsigned index) -> coring::http::handler& {
        if (index == 0) {
          app.log_runtime = coring::all_runtimes()[0];
          coring::runtime::current().spawn(log.run());
        }
        auto t = std::make_unique<posts::thread_routes>();
        posts::add_routes(app, *t);
        per_thread[index] = std::move(t);  // each thread writes only its own slot
        return per_thread[index]->router;
      });
  if (config.print_stats) {
    const posts::log_counters& c = log.counters();
    std::fprintf(stderr, "posts: %llu posts, %llu syncs, %llu write errors\n",
                 static_cast<unsigned long long>(c.posts.load()),
                 static_cast<unsigned long long>(c.syncs.load()),
                 static_cast<unsigned long long>(c.write_errors.load()));
  }
  return status;
}
