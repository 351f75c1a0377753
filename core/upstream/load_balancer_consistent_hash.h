// Consistent hashing, the part ring hash and Maglev share.
//
// A ConsistentHashTable is a circle of slots, each owned by one host of the HostList it was built
// from (owners are indices into that list). It depends only on the hosts' names and weights, never
// on health, so it is built once per config and shared read-only by every worker. ring_hash.h and
// maglev.h say how each kind fills the slots and maps a key to its slot.
//
// ConsistentHashLoadBalancer is one worker's balancer over such a table: the request's hash key
// lands on a slot; if that slot's host is unhealthy (and the list is not in panic mode), it walks
// on to the next slots until it meets a healthy host. Keys of healthy hosts therefore never move
// when another host's health changes. Without a key it picks a random slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/upstream/load_balancer.h"
#include "core/upstream/load_balancer_candidates.h"
#include "core/upstream/load_balancer_prng.h"

namespace weft::upstream {

class ConsistentHashTable {
 public:
  virtual ~ConsistentHashTable() = default;

  // The slot `key` lands on, in [0, slots()). Meaningless when slots() is 0.
  virtual size_t slotFor(uint64_t key) const = 0;
  size_t slots() const { return owners_.size(); }
  // Index, in the HostList the table was built from, of the host owning `slot`.
  uint32_t ownerOf(size_t slot) const { return owners_[slot]; }
  // Whether `hosts` names the same hosts in the same order as the list the table was built from.
  bool builtFor(const HostList& hosts) const;

 protected:
  explicit ConsistentHashTable(const HostList& hosts);

  std::vector<uint32_t> owners_;

 private:
  std::vector<std::string> names_;
};

class ConsistentHashLoadBalancer : public LoadBalancer {
 public:
  // `table` was built for `hosts` (see ConsistentHashTable::builtFor).
  ConsistentHashLoadBalancer(const HostList& hosts, const LbConfig& config, uint64_t seed,
                             std::shared_ptr<const ConsistentHashTable> table);

  Host* chooseHost(const LbContext& context) override;

 private:
  const HostList& hosts_;
  Candidates candidates_;
  Prng prng_;
  std::shared_ptr<const ConsistentHashTable> table_;
};

}  // namespace weft::upstream
