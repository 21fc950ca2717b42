#pragma once
// when_any: runs tasks concurrently; when the first finishes, the others are stopped
// (their in-flight I/O is cancelled through a stop_source) and awaited, then the
// winner's index and result are returned. Structured: nothing outlives the call.

#include <array>
#include <utility>

#include "core/join.hpp"

namespace coring {

template <class T>
struct any_result {
  std::size_t index;
  detail::value_or_monostate<T> value;
};

template <class T, class... Rest>
task<any_result<T>> when_any(task<T> first, task<Rest>... rest) {
  static_assert((std::is_same_v<T, Rest> && ...), "when_any takes tasks of one result type");
  constexpr std::size_t count = 1 + sizeof...(Rest);
  std::array<detail::outcome<T>, count> outcomes;
  auto children = [&]<std::size_t... I>(std::index_sequence<I...>) {
    std::array<task<T>, count> all{std::move(first), std::move(rest)...};
    return std::array<detail::join_child, count>{
        detail::run_child(std::move(all[I]), &outcomes[I])...};
  }
  (std::make_index_sequence<count>{});
  stop_source group(co_await detail::current_stop{});
  detail::join_state state;
  state.stop_on_first = &group;
  co_await detail::join_awaiter{children, state, &group, false};
  co_return any_result<T>{state.winner, outcomes[state.winner].take()};
}

}  // namespace coring
