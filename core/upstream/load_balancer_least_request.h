// LeastRequestLoadBalancer: prefers hosts with fewer requests in flight from this worker.
//
// Equal weights: "power of two choices" — sample `choice_count` candidates at random (with
// replacement) and take the one with the fewest active requests (the first sampled on a tie).
// Cheap, and it avoids the herd a global minimum would cause.
//
// Unequal weights (Envoy's scheme): earliest-deadline-first over weights scaled by load,
// weight / (active_requests + 1) ^ active_request_bias, where a host's scaled weight is
// recomputed each time it is picked. With no load the share of picks follows the weights; a busy
// host's share shrinks.
#pragma once

#include <cstdint>

#include "core/upstream/load_balancer.h"
#include "core/upstream/load_balancer_candidates.h"
#include "core/upstream/load_balancer_edf.h"
#include "core/upstream/load_balancer_prng.h"

namespace weft::upstream {

class LeastRequestLoadBalancer : public LoadBalancer {
 public:
  LeastRequestLoadBalancer(const HostList& hosts, const LbConfig& config, uint64_t seed);

  Host* chooseHost(const LbContext& context) override;

 private:
  void rebuild();
  double scaledWeight(const Host& host) const;

  Candidates candidates_;
  Prng prng_;
  uint32_t choice_count_;
  double active_request_bias_;
  EdfScheduler scheduler_;  // unequal weights: over indices into candidates_.hosts()
};

}  // namespace weft::upstream
