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
  bool linked() const noexcept { return linked_; }

 private:
  friend class intrusive_list<T>;
  T* prev_ = nullptr;
  T* next_ = nullptr;
  bool linked_ = false;
};

template <class T>
class intrusive_list {
 public:
  intrusive_list() noexcept = default;
  intrusive_list(const intrusive_list&) = delete;
  intrusive_list& operator=(const intrusive_list&) = delete;

  bool empty() const noexcept { return head_ == nullptr; }
  T* front() const noexcept { return head_; }

  void push_back(T& element) noexcept {
    list_node<T>& n = element;
    n.prev_ = tail_;
    n.next_ = nullptr;
    n.linked_ = true;
    (tail_ != nullptr ? node(tail_).next_ : head_) = &element;
    tail_ = &element;
  }

  void push_front(T& element) noexcept {
    list_node<T>& n = element;
    n.prev_ = nullptr;
    n.next_ = head_;
    n.linked_ = true;
    (head_ != nullptr ? node(head_).prev_ : tail_) = &element;
    head_ = &element;
  }

  // `element` must be on this list (or on none: then nothing happens).
  void remove(T& element) noexcept {
    list_node<T>& n = element;
    if (!n.linked_) return;
    (n.prev_ != nullptr ? node(n.prev_).next_ : head_) = n.next_;
    (n.next_ != nullptr ? node(n.next_).prev_ : tail_) = n.prev_;
    n.prev_ = n.next_ = nullptr;
    n.linked_ = false;
  }

  T* pop_front() noexcept {
    T* first = head_;
    if (first != nullptr) remove(*first);
    return first;
  }

 private:
  static list_node<T>& node(T* element) noexcept { return *element; }
  T* head_ = nullptr;
  T* tail_ = nullptr;
};

}  // namespace coring
