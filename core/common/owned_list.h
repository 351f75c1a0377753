// OwnedList<T>: a list that owns its elements and keeps its links inside them. The proxy keeps
// its long-lived objects — a worker's connections, a connection's streams, a pool's upstream
// connections, the request mirrors in flight — in such lists; each object knows its own place,
// so removing it is O(1), and no list node is allocated beside it (an idle connection costs 32
// bytes less, a request one malloc/free pair less).
//
//   class Thing : public OwnedListLinks<Thing> { ... };
//   OwnedList<Thing> things;
//   Thing& t = things.pushBack(std::make_unique<Thing>());
//   deleter.add(things.remove(t));  // unlinked; ownership handed back
//
// Like std::list, removing the element a range-for stands on invalidates that loop: copy the
// elements out first when the loop body may remove them.
#pragma once

#include <cassert>
#include <cstddef>
#include <iterator>
#include <memory>

namespace weft {

template <typename T>
class OwnedList;

// Base of an element: its two links. An element is in at most one list at a time.
template <typename T>
class OwnedListLinks {
 private:
  friend class OwnedList<T>;
  T* previous_ = nullptr;
  T* next_ = nullptr;
};

template <typename T>
class OwnedList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;

    Iterator() = default;
    explicit Iterator(T* at) : at_(at) {}
    T& operator*() const { return *at_; }
    T* operator->() const { return at_; }
    Iterator& operator++() {
      at_ = links(at_).next_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Iterator&) const = default;

   private:
    T* at_ = nullptr;
  };

  OwnedList() = default;
  OwnedList(const OwnedList&) = delete;
  OwnedList& operator=(const OwnedList&) = delete;
  ~OwnedList() { clear(); }

  // Takes `element` (not in any list) and puts it last.
  T& pushBack(std::unique_ptr<T> element) {
    T* added = element.release();
    OwnedListLinks<T>& l = links(added);
    assert(!l.previous_ && !l.next_ && first_ != added);
    l.previous_ = last_;
    l.next_ = nullptr;
    (last_ ? links(last_).next_ : first_) = added;
    last_ = added;
    ++size_;
    return *added;
  }

  // Unlinks `element`, which must be in this list, and gives it back.
  std::unique_ptr<T> remove(T& element) {
    OwnedListLinks<T>& l = links(&element);
    assert(l.previous_ ? links(l.previous_).next_ == &element : first_ == &element);
    (l.previous_ ? links(l.previous_).next_ : first_) = l.next_;
    (l.next_ ? links(l.next_).previous_ : last_) = l.previous_;
    l.previous_ = l.next_ = nullptr;
    --size_;
    return std::unique_ptr<T>(&element);
  }

  // Destroys every element, first to last; an element's destructor may remove others.
  void clear() {
    while (first_) remove(*first_).reset();
  }

  bool empty() const { return first_ == nullptr; }
  size_t size() const { return size_; }
  T& front() const { return *first_; }
  Iterator begin() const { return Iterator(first_); }
  Iterator end() const { return Iterator(); }

 private:
  static OwnedListLinks<T>& links(T* element) { return *element; }

  T* first_ = nullptr;
  T* last_ = nullptr;
  size_t size_ = 0;
};

}  // namespace weft
