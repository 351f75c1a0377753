// MaglevTable: Google's Maglev consistent hashing (NSDI 2016). A lookup table of M slots (M prime,
// 65537 by default) is filled by letting hosts take turns claiming the next free slot of their
// own permutation of 0..M-1 (start = hash of the name mod M, step = another hash mod (M-1) + 1).
// A key's host is table[key mod M]: O(1) per lookup. Every host ends up with nearly the same
// number of slots (times its weight), and removing or adding one of N hosts remaps little more
// than 1/N of the keys.
//
// Weights: a host with the largest weight claims a slot every turn, one with a third of that
// weight every third turn. Hosts take turns in name order, so the table does not depend on the
// order of the list. Build it once per config (see load_balancer.h), any thread.
#pragma once

#include <cstdint>

#include "core/upstream/load_balancer_consistent_hash.h"

namespace weft::upstream {

class MaglevTable : public ConsistentHashTable {
 public:
  // `table_size` is prime (validateLbConfig checks).
  MaglevTable(const HostList& hosts, uint64_t table_size);

  size_t slotFor(uint64_t key) const override { return key % owners_.size(); }
};

}  // namespace weft::upstream
