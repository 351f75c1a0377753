// EdfScheduler: earliest-deadline-first picking over weighted items. An item added with weight w
// falls due 1/w after the scheduler's current time; next() takes the item due first (ties: the one
// added first) and moves the time to its deadline. Re-adding each picked item gives every item a
// share of picks proportional to its weight, with O(log n) per pick; an item's weight may change
// each time it is re-added. Single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <vector>

namespace weft::upstream {

class EdfScheduler {
 public:
  // `weight` > 0.
  void add(size_t item, double weight) { queue_.push({now_ + 1.0 / weight, sequence_++, item}); }
  // The item due first, removed from the scheduler. Not empty() before.
  size_t next() {
    Entry entry = queue_.top();
    queue_.pop();
    now_ = entry.deadline;
    return entry.item;
  }
  bool empty() const { return queue_.empty(); }
  void clear() {
    queue_ = {};
    now_ = 0;
  }

 private:
  struct Entry {
    double deadline;
    uint64_t sequence;
    size_t item;
    // std::priority_queue keeps the greatest on top: "greater" here means due later.
    bool operator<(const Entry& other) const {
      return deadline != other.deadline ? deadline > other.deadline : sequence > other.sequence;
    }
  };
  std::priority_queue<Entry> queue_;
  double now_ = 0;
  uint64_t sequence_ = 0;
};

}  // namespace weft::upstream
