#pragma once
// when_all: runs tasks concurrently on this thread and returns all their results
// (void results become std::monostate). The first exception, by position, is rethrown
// after every task has finished — no task outlives the call.

#include <array>
#include <tuple>
#include <vector>

#include "core/join.hpp"

namespace coring {

template <class... Ts>
task<std::tuple<detail::value_or_monostate<Ts>...>> when_all(task<Ts>... tasks) {
  std::tuple<detail::outcome<Ts>...> outcomes;
  auto children = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<detail::join_child, sizeof...(Ts)>{
        detail::run_child(std::move(tasks), &std::get<I>(outcomes))...};
  }
  (std::index_sequence_for<Ts...>{});
  detail::join_state state;
  co_await detail::join_awaiter{children, state, nullptr, true};
  // Braced init evaluates left to right, so the first error by position is the one thrown.
  co_return std::apply(
      [](auto&... o) { return std::tuple<detail::value_or_monostate<Ts>...>{o.take()...}; },
      outcomes);
}

// The same for a run-time number of tasks of one type.
template <class T>
task<std::vector<detail::value_or_monostate<T>>> when_all(std::vector<task<T>> tasks) {
  std::vector<detail::outcome<T>> outcomes(tasks.size());
  std::vector<detail::join_child> children;
  children.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    children.push_back(detail::run_child(std::move(tasks[i]), &outcomes[i]));
  }
  detail::join_state state;
  co_await detail::join_awaiter{children, state, nullptr, true};
  std::vector<detail::value_or_monostate<T>> results;
  results.reserve(outcomes.size());
  for (auto& o : outcomes) results.push_back(o.take());
  co_return results;
}

}  // namespace coring
