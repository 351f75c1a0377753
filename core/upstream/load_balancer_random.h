// RandomLoadBalancer: a candidate drawn at random, with probability proportional to its weight.
// O(1) per pick with equal weights, O(log hosts) otherwise (a search over cumulative weights).
#pragma once

#include <cstdint>
#include <vector>

#include "core/upstream/load_balancer.h"
#include "core/upstream/load_balancer_candidates.h"
#include "core/upstream/load_balancer_prng.h"

namespace weft::upstream {

class RandomLoadBalancer : public LoadBalancer {
 public:
  RandomLoadBalancer(const HostList& hosts, const LbConfig& config, uint64_t seed);

  Host* chooseHost(const LbContext& context) override;

 private:
  void rebuild();

  Candidates candidates_;
  Prng prng_;
  // Unequal weights: cumulative_[i] is the sum of the weights of candidates 0..i; empty when all
  // weights are equal.
  std::vector<uint64_t> cumulative_;
};

}  // namespace weft::upstream
