// beast-kv: seed 002's key-value store on Boost.Beast, one thread, a std::unordered_map.
// GET /{key} → the value (empty when missing), POST|PUT /{key} → store it and echo it,
// DELETE → 204, GET /size → the number of keys. Keys over --max-key characters get 400,
// values over --max-value bytes 413 (32 and 32, the seed's Go limits); an entry expires
// --ttl seconds after its last write (lazily on read, and by a sweep every --ttl).
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "peer.hpp"

namespace {

namespace http = boost::beast::http;
using clock_type = std::chrono::steady_clock;

struct entry {
  std::string value;
  clock_type::time_point expires;  // time_point::max() = never
};

class store {
 public:
  store(std::size_t max_key, std::size_t max_value, std::chrono::seconds ttl)
      : max_key_(max_key), max_value_(max_value), ttl_(ttl) {}

  void handle(const beast_peer::request& req, beast_peer::response& res) {
    const std::string key(req.target().substr(req.target().empty() ? 0 : 1));
    if (key == "size") return size(req, res);
    if (key.empty()) return beast_peer::reject(res, http::status::bad_request, "empty key\n");
    if (key.size() > max_key_)
      return beast_peer::reject(res, http::status::bad_request, "key too long\n");
    switch (req.method()) {
      case http::verb::get:
        return beast_peer::finish(res, read(key));
      case http::verb::post:
      case http::verb::put:
        return write(key, req.body(), res);
      case http::verb::delete_:
        entries_.erase(key);
        res.result(http::status::no_content);
        res.set("date", beast_peer::http_date());
        return;
      default:
        return beast_peer::reject(res, http::status::method_not_allowed, "method not allowed\n");
    }
  }

  // Drops expired entries every ttl, so keys nobody reads again do not stay.
  void start_sweeping(boost::asio::io_context& context) {
    if (ttl_.count() == 0) return;
    timer_.emplace(context);
    arm();
  }

 private:
  void size(const beast_peer::request& req, beast_peer::response& res) const {
    if (req.method() != http::verb::get) {
      return beast_peer::reject(res, http::status::method_not_allowed, "method not allowed\n");
    }
    beast_peer::finish(res, std::to_string(entries_.size()));
  }

  std::string read(const std::string& key) {
    const auto found = entries_.find(key);
    if (found == entries_.end()) return {};
    if (clock_type::now() >= found->second.expires) {
      entries_.erase(found);
      return {};
    }
    return found->second.value;
  }

  void write(const std::string& key, const std::string& value, beast_peer::response& res) {
    if (value.size() > max_value_) {
      return beast_peer::reject(res, http::status::payload_too_large, "value too long\n");
    }
    const auto expires = ttl_.count() ? clock_type::now() + ttl_ : clock_type::time_point::max();
    entries_.insert_or_assign(key, entry{value, expires});
    beast_peer::finish(res, value);
  }

  void arm() {
    timer_->expires_after(ttl_);
    timer_->async_wait([this](boost::system::error_code error) {
      if (error) return;
      const auto now = clock_type::now();
      std::erase_if(entries_, [now](const auto& item) { return now >= item.second.expires; });
      arm();
    });
  }

  std::size_t max_key_;
  std::size_t max_value_;
  std::chrono::seconds ttl_;
  std::unordered_map<std::string, entry> entries_;
  std::optional<boost::asio::steady_timer> timer_;
};

}  // namespace

int main(int argc, char** argv) {
  beast_peer::flags options(
      "beast-kv",
      "[--port 8082] [--threads 1] [--max-key 32] [--max-value 32] [--ttl 60 (s, 0 = never)]");
  options.add("port", "8082");
  options.add("threads", "1");
  options.add("max-key", "32");
  options.add("max-value", "32");
  options.add("ttl", "60");
  options.parse(argc, argv);
  store kv(static_cast<std::size_t>(options.number("max-key", 1, 1 << 20)),
           static_cast<std::size_t>(options.number("max-value", 0, 1 << 20)),
           std::chrono::seconds(options.number("ttl", 0, 1L << 31)));
  return beast_peer::run(
      options,
      [&kv](const beast_peer::request& req, beast_peer::response& res) { kv.handle(req, res); },
      [&kv](boost::asio::io_context& context) { kv.start_sweeping(context); });
}
