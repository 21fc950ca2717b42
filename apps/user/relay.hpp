#pragma once
// relay: chained mode — answer GET /v1/user with what the upstream `user` serves at
// its upstream path, fetched over this thread's keep-alive client. Upstream failures
// become short plain-text errors: refused, reset or malformed → 502, too slow → 504.

#include <memory>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "http/client.hpp"
#include "http/response.hpp"

namespace user_app {

class relay {
 public:
  relay(const coring::socket_address& upstream, std::string path,
        const coring::http::client_options& options)
      : client_(upstream, options), path_(std::move(path)) {}

  coring::http::client& client() noexcept { return client_; }
  const std::string& path() const noexcept { return path_; }

  // Response buffers are recycled per thread, so a relayed body allocates nothing
  // in steady state.
  std::unique_ptr<coring::http::client_response> take_buffer();
  void give_back(std::unique_ptr<coring::http::client_response> r);

 private:
  coring::http::client client_;
  std::string path_;
  std::vector<std::unique_ptr<coring::http::client_response>> spare_;
};

// Fetches the upstream body and writes the relayed response (or the error status).
coring::task<void> relay_user(relay* r, coring::http::response& res);

// The status a client_error maps to.
int status_for(coring::http::client_error e) noexcept;

}  // namespace user_app
