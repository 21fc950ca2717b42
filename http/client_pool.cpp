#include "http/client_pool.hpp"

namespace coring::http {

void client_pool::reap(client_connection::clock::time_point now) {
  while (!idle_.empty() && now - idle_.front()->idle_since > idle_timeout_) idle_.pop_front();
}

std::unique_ptr<client_connection> client_pool::take() {
  if (idle_.empty()) return nullptr;
  reap(client_connection::clock::now());
  if (idle_.empty()) return nullptr;
  std::unique_ptr<client_connection> c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void client_pool::put(std::unique_ptr<client_connection> c) {
  const auto now = client_connection::clock::now();
  c->idle_since = now;
  idle_.push_back(std::move(c));
  if (idle_.size() > max_idle_) idle_.pop_front();  // the coldest goes
  reap(now);
}

}  // namespace coring::http
