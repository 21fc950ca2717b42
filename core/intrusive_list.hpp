#pragma once
// intrusive_list: a doubly-linked list threaded through its elements, so linking and
// unlinking never allocate and an element unlinks itself in O(1). Stop callbacks,
// timeout lists and buffer-ring waiters are all such lists.
//
// An element type T derives from list_node<T>; an element is on at most one list at a
// time, and must be unlinked before it dies. Single-threaded, like the runtime.

namespace coring {

template <class T>
class intrusive_list;

template <class T>
class list_node {
 public:
  list_node() noexcept = default;
  list_node(const list_node&) = delete;
  list_node& operator=(const list_node&) = delete;
  bool linked() const noexcept { return next_ != nullptr; }

 private:
  friend class intrusive_list<T>;
  list_node* prev_ = nullptr;  // both null while unlinked
  list_node* next_ = nullptr;
};

// Circular around a sentinel node held by the list, so a node is just its two links —
// linked or not shows in them — and unlinking needs no branches. Nodes sit in every
// idle connection (timers, stop callbacks), where each byte is paid per connection.
// The sentinel's address is part of the list: a list is neither copied nor moved.
template <class T>
class intrusive_list {
 public:
  intrusive_list() noexcept { sentinel_.prev_ = sentinel_.next_ = &sentinel_; }
  intrusive_list(const intrusive_list&) = delete;
  intrusive_list& operator=(const intrusive_list&) = delete;

  bool empty() const noexcept { return sentinel_.next_ == &sentinel_; }
  T* front() const noexcept { return empty() ? nullptr : static_cast<T*>(sentinel_.next_); }

  void push_back(T& element) noexcept { insert_before(sentinel_, element); }
  void push_front(T& element) noexcept { insert_before(*sentinel_.next_, element); }

  // `element` must be on this list (or on none: then nothing happens).
  void remove(T& element) noexcept {
    list_node<T>& n = element;
    if (!n.linked()) return;
    n.prev_->next_ = n.next_;
    n.next_->prev_ = n.prev_;
    n.prev_ = n.next_ = nullptr;
  }

  T* pop_front() noexcept {
    T* first = front();
    if (first != nullptr) remove(*first);
    return first;
  }

 private:
  static void insert_before(list_node<T>& at, T& element) noexcept {
    list_node<T>& n = element;
    n.prev_ = at.prev_;
    n.next_ = &at;
    at.prev_->next_ = &n;
    at.prev_ = &n;
  }
  list_node<T> sentinel_;
};

}  // namespace coring
