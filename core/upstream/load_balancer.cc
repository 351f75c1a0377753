// parseLbPolicy, validateLbConfig and LoadBalancerFactory: see load_balancer.h.
#include "core/upstream/load_balancer.h"

#include <string>
#include <utility>

#include "core/upstream/load_balancer_consistent_hash.h"
#include "core/upstream/load_balancer_least_request.h"
#include "core/upstream/load_balancer_random.h"
#include "core/upstream/load_balancer_round_robin.h"
#include "core/upstream/maglev.h"
#include "core/upstream/ring_hash.h"

namespace weft::upstream {

namespace {

constexpr uint64_t kMaxRingSize = 8 * 1024 * 1024;
constexpr uint64_t kMaxMaglevTableSize = 5000011;

bool isPrime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

}  // namespace

namespace {
constexpr std::pair<std::string_view, LbPolicy> kPolicyNames[] = {
    {"round_robin", LbPolicy::kRoundRobin},
    {"least_request", LbPolicy::kLeastRequest},
    {"random", LbPolicy::kRandom},
    {"ring_hash", LbPolicy::kRingHash},
    {"maglev", LbPolicy::kMaglev}};
}  // namespace

Result<LbPolicy> parseLbPolicy(std::string_view name) {
  for (const auto& [known, policy] : kPolicyNames) {
    if (name == known) return policy;
  }
  return Status::error("unknown load balancing policy \"" + std::string(name) +
                       "\" (supported: round_robin, least_request, random, ring_hash, maglev)");
}

std::string_view lbPolicyName(LbPolicy policy) {
  for (const auto& [name, known] : kPolicyNames) {
    if (policy == known) return name;
  }
  return "?";
}

Status validateLbConfig(const LbConfig& config) {
  if (config.healthy_panic_threshold > 100)
    return Status::error("healthy_panic_threshold: must be 0..100");
  if (config.choice_count < 2) return Status::error("choice_count: must be >= 2");
  if (!(config.active_request_bias >= 0))  // also rejects NaN
    return Status::error("active_request_bias: must be >= 0");
  if (config.minimum_ring_size < 1 || config.minimum_ring_size > kMaxRingSize)
    return Status::error("minimum_ring_size: must be 1..8388608");
  if (config.maximum_ring_size < config.minimum_ring_size ||
      config.maximum_ring_size > kMaxRingSize)
    return Status::error("maximum_ring_size: must be minimum_ring_size..8388608");
  if (config.maglev_table_size > kMaxMaglevTableSize || !isPrime(config.maglev_table_size))
    return Status::error("maglev_table_size: must be a prime <= 5000011");
  return Status::ok();
}

LoadBalancerFactory::LoadBalancerFactory(const LbConfig& config,
                                         std::shared_ptr<const ConsistentHashTable> table)
    : config_(config), table_(std::move(table)) {}

LoadBalancerFactory::~LoadBalancerFactory() = default;

Result<std::shared_ptr<const LoadBalancerFactory>> LoadBalancerFactory::create(
    const LbConfig& config, const HostList& hosts) {
  if (Status valid = validateLbConfig(config); !valid) return valid;
  std::shared_ptr<const ConsistentHashTable> table;
  if (config.policy == LbPolicy::kRingHash) {
    table =
        std::make_shared<RingHashTable>(hosts, config.minimum_ring_size, config.maximum_ring_size);
  } else if (config.policy == LbPolicy::kMaglev) {
    table = std::make_shared<MaglevTable>(hosts, config.maglev_table_size);
  }
  return std::shared_ptr<const LoadBalancerFactory>(
      new LoadBalancerFactory(config, std::move(table)));
}

Result<LoadBalancerPtr> LoadBalancerFactory::create(const HostList& hosts, uint64_t seed) const {
  switch (config_.policy) {
    case LbPolicy::kRoundRobin:
      return LoadBalancerPtr(std::make_unique<RoundRobinLoadBalancer>(hosts, config_, seed));
    case LbPolicy::kLeastRequest:
      return LoadBalancerPtr(std::make_unique<LeastRequestLoadBalancer>(hosts, config_, seed));
    case LbPolicy::kRandom:
      return LoadBalancerPtr(std::make_unique<RandomLoadBalancer>(hosts, config_, seed));
    case LbPolicy::kRingHash:
    case LbPolicy::kMaglev:
      if (!table_->builtFor(hosts))
        return Status::error("load balancer: the hosts differ from those the table was built for");
      return LoadBalancerPtr(
          std::make_unique<ConsistentHashLoadBalancer>(hosts, config_, seed, table_));
  }
  return Status::error("load balancer: unknown policy");
}

}  // namespace weft::upstream
