// What the Boost.Beast peers share: flags, the Date header, and the server loop (peer.cpp).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace beast_peer {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;
using handler = std::function<void(const request&, response&)>;

// "--name value" options with integer or text values; anything unknown exits 2.
class flags {
 public:
  flags(std::string program, std::string usage)
      : program_(std::move(program)), usage_(std::move(usage)) {}

  void add(const std::string& name, std::string default_value) {
    values_[name] = std::move(default_value);
  }

  void parse(int argc, char** argv) {
    for (int i = 1; i < argc; i += 2) {
      const std::string name = argv[i];
      if (name.rfind("--", 0) != 0 || !values_.contains(name.substr(2)))
        fail("unknown argument " + name);
      if (i + 1 >= argc) fail(name + " needs a value");
      values_[name.substr(2)] = argv[i + 1];
    }
  }

  [[nodiscard]] const std::string& text(const std::string& name) const { return values_.at(name); }

  // The value of --name as an integer in [low, high], or exit 2.
  [[nodiscard]] long number(const std::string& name, long low, long high) const {
    const std::string& value = text(name);
    char* end = nullptr;
    const long n = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || n < low || n > high) {
      fail("--" + name + " must be an integer in " + std::to_string(low) + ".." +
           std::to_string(high));
    }
    return n;
  }

  [[noreturn]] void fail(const std::string& message) const {
    std::fprintf(stderr, "%s: %s\nusage: %s %s\n", program_.c_str(), message.c_str(),
                 program_.c_str(), usage_.c_str());
    std::exit(2);
  }

 private:
  std::string program_;
  std::string usage_;
  std::map<std::string, std::string> values_;
};

// The IMF-fixdate of now ("Sun, 06 Dec 2026 09:17:09 GMT"), formatted once a second.
inline std::string_view http_date() {
  static std::time_t cached_second = 0;
  static char text[32] = {};
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached_second = now;
  }
  return text;
}

// Sets the body and then content-length and date, in the order and the lower case
// coring and hyper write them (Beast keeps a header name as it is given).
inline void finish(response& res, std::string body) {
  res.set("content-length", std::to_string(body.size()));
  res.set("date", http_date());
  res.body() = std::move(body);
}

// A short text/plain answer for an error status.
inline void reject(response& res, http::status status, std::string reason) {
  res.result(status);
  res.set("content-type", "text/plain");
  finish(res, std::move(reason));
}

// Listens on 127.0.0.1:port and serves `handle` on this thread until the process dies;
// `setup` runs on the io_context first (e.g. to start a timer). Returns main's exit code.
int run(const flags& options, const handler& handle,
        const std::function<void(asio::io_context&)>& setup = {});

}  // namespace beast_peer
