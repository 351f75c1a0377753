// RingHashTable: Ketama-style consistent hashing. Every host puts points ("virtual nodes") on a
// 64-bit circle — point k of host h is hash64(h.name, seed k) — and a key belongs to the first
// point at or after it, wrapping around. Lookups are a binary search.
//
// Sizing, chosen so that removing or adding one of N hosts moves only about 1/N of the keys: a
// host's point count depends on its own weight relative to the lightest host, not on how many
// hosts there are. The lightest host gets max(160, the count that brings the whole ring to
// minimum_ring_size) points — 160 is what Ketama gives each server — and every other host gets
// that times its weight / the lightest weight, rounded up. So with equal weights and at least 7
// hosts (for the default minimum of 1024), each host has 160 points whatever N is, and a changing
// host set moves only the keys of the hosts that came or went. (Envoy instead scales the ring to
// about minimum_ring_size, so every host's count shifts with N and a change of one host moves
// about 2/N.) A ring that would exceed maximum_ring_size is scaled down to fit; then counts do
// depend on N, and with fewer points than hosts some hosts get none.
//
// Build it once per config (see load_balancer.h), any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "core/upstream/load_balancer_consistent_hash.h"

namespace weft::upstream {

class RingHashTable : public ConsistentHashTable {
 public:
  // 1 <= minimum_ring_size <= maximum_ring_size (validateLbConfig checks).
  RingHashTable(const HostList& hosts, uint64_t minimum_ring_size, uint64_t maximum_ring_size);

  size_t slotFor(uint64_t key) const override;

 private:
  std::vector<uint64_t> points_;  // ascending; points_[i] is where slot i sits on the circle
};

}  // namespace weft::upstream
