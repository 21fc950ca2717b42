// intrusive_list: order, O(1) removal from anywhere, and the no-op cases the runtime
// relies on (removing an element that is not linked, popping an empty list).

#include "core/intrusive_list.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace coring {
namespace {

struct item : list_node<item> {
  explicit item(int v) : value(v) {}
  int value;
};

std::vector<int> drain(intrusive_list<item>& list) {
  std::vector<int> out;
  while (item* i = list.pop_front()) out.push_back(i->value);
  return out;
}

TEST(IntrusiveList, PushBackKeepsOrderPushFrontReversesIt) {
  item a(1), b(2), c(3), d(4);
  intrusive_list<item> list;
  EXPECT_TRUE(list.empty());
  list.push_back(a);
  list.push_back(b);
  list.push_front(c);
  list.push_front(d);
  EXPECT_EQ(list.front(), &d);
  EXPECT_EQ(drain(list), (std::vector<int>{4, 3, 1, 2}));
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(a.linked());
}

TEST(IntrusiveList, RemoveFromHeadMiddleAndTail) {
  item a(1), b(2), c(3), d(4), e(5);
  intrusive_list<item> list;
  for (item* i : {&a, &b, &c, &d, &e}) list.push_back(*i);
  list.remove(c);  // middle
  list.remove(a);  // head
  list.remove(e);  // tail
  EXPECT_FALSE(c.linked());
  list.push_back(a);  // the tail pointer is still right
  EXPECT_EQ(drain(list), (std::vector<int>{2, 4, 1}));
}

TEST(IntrusiveList, RemovingAnUnlinkedElementOrPoppingEmptyDoesNothing) {
  item a(1), b(2);
  intrusive_list<item> list;
  EXPECT_EQ(list.pop_front(), nullptr);
  list.remove(a);
  list.push_back(b);
  list.remove(a);
  EXPECT_EQ(drain(list), (std::vector<int>{2}));
  list.push_back(a);
  list.remove(a);
  list.remove(a);  // twice
  EXPECT_TRUE(list.empty());
  list.push_front(b);  // the head and tail were reset
  EXPECT_EQ(list.front(), &b);
  EXPECT_EQ(drain(list), (std::vector<int>{2}));
}

}  // namespace
}  // namespace coring
