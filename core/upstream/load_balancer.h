// Load balancing: which host of a HostList gets the next request.
//
// Policies (LbPolicy): round robin (weighted, smooth like nginx's), least request (power of two
// choices; with unequal weights, weights scaled down by active requests), random (weighted), ring
// hash (Ketama-style consistent hashing) and Maglev. All of them honour Envoy's panic threshold:
// unhealthy hosts are skipped unless the healthy share of the list falls below
// `healthy_panic_threshold`, in which case every host is eligible again.
//
// Who owns what, which thread:
//   - LoadBalancerFactory is built once per config and cluster (or subset) on any thread, from one
//     HostList, and is immutable; workers share it through a shared_ptr. For ring hash and Maglev
//     it holds the ring / table, so each worker does not build (and keep) its own copy.
//   - LoadBalancerFactory::create makes one worker's balancer over that worker's HostList. The
//     balancer borrows the list (which must outlive it) and is used by that worker only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/common/status.h"
#include "core/upstream/host.h"

namespace weft::upstream {

// What a request tells the balancer.
struct LbContext {
  // From the route's hash policy (hash_policy.h). Consistent-hash policies map it to a host; they
  // pick at random without one. The other policies ignore it.
  std::optional<uint64_t> hash_key;
};

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // The host for one request, or nullptr when there is none: the list is empty, or no host is
  // healthy and panic mode is off.
  virtual Host* chooseHost(const LbContext& context) = 0;
};

using LoadBalancerPtr = std::unique_ptr<LoadBalancer>;

enum class LbPolicy { kRoundRobin, kLeastRequest, kRandom, kRingHash, kMaglev };

// "round_robin", "least_request", "random", "ring_hash" or "maglev".
Result<LbPolicy> parseLbPolicy(std::string_view name);
// The name parseLbPolicy reads.
std::string_view lbPolicyName(LbPolicy policy);

struct LbConfig {
  LbPolicy policy = LbPolicy::kRoundRobin;
  // Percent, 0..100. Below this share of healthy hosts, balance over all hosts; 0 turns panic mode
  // off (then no healthy host means no host). Istio sets it from outlierDetection.minHealthPercent.
  uint32_t healthy_panic_threshold = 50;
  // least_request: hosts sampled per pick (equal weights), >= 2.
  uint32_t choice_count = 2;
  // least_request with unequal weights: a host's weight is divided by (active requests + 1) to
  // this power; 0 ignores load, larger values shun busy hosts harder. >= 0.
  double active_request_bias = 1.0;
  // ring_hash: the ring has at least minimum_ring_size points and at most maximum_ring_size, which
  // is <= 8M (how points are shared out: ring_hash.h).
  uint64_t minimum_ring_size = 1024;
  uint64_t maximum_ring_size = 8 * 1024 * 1024;
  // maglev: the lookup table's size, a prime <= 5000011.
  uint64_t maglev_table_size = 65537;

  bool operator==(const LbConfig&) const = default;
};

Status validateLbConfig(const LbConfig& config);

class ConsistentHashTable;

class LoadBalancerFactory {
 public:
  // Validates `config` and, for ring hash and Maglev, builds the table over `hosts`.
  static Result<std::shared_ptr<const LoadBalancerFactory>> create(const LbConfig& config,
                                                                   const HostList& hosts);
  ~LoadBalancerFactory();

  // A balancer over `hosts`. For ring hash and Maglev these must be the same hosts (by name, in
  // the same order) as the list the factory was built from — another worker's copy of it —
  // else this fails. `seed` feeds the balancer's random choices; give each worker its own.
  Result<LoadBalancerPtr> create(const HostList& hosts, uint64_t seed) const;

 private:
  LoadBalancerFactory(const LbConfig& config, std::shared_ptr<const ConsistentHashTable> table);

  LbConfig config_;
  std::shared_ptr<const ConsistentHashTable> table_;  // ring hash and Maglev only
};

using LoadBalancerFactoryPtr = std::shared_ptr<const LoadBalancerFactory>;

}  // namespace weft::upstream
