// RoundRobinLoadBalancer: hosts in turn. With equal weights, plain rotation (O(1) per pick). With
// unequal weights, nginx's smooth weighted round robin: over every cycle of sum(weights) picks
// each host gets exactly its weight, interleaved rather than in bursts (weights 5,1,1 give
// a a b a c a a). That costs O(hosts) per pick.
//
// Each balancer starts at a host chosen by its seed, so workers do not all send their first
// request to the same host. Health changes restart the rotation over the new candidates.
#pragma once

#include <cstdint>
#include <vector>

#include "core/upstream/load_balancer.h"
#include "core/upstream/load_balancer_candidates.h"

namespace weft::upstream {

class RoundRobinLoadBalancer : public LoadBalancer {
 public:
  RoundRobinLoadBalancer(const HostList& hosts, const LbConfig& config, uint64_t seed);

  Host* chooseHost(const LbContext& context) override;

 private:
  void rebuild();
  Host* chooseWeighted();

  Candidates candidates_;
  uint64_t seed_;
  // The candidates, rotated by the seed, with nginx's per-peer state in parallel arrays (the
  // weighted pick scans them all, so they are kept dense).
  std::vector<Host*> hosts_;
  std::vector<int64_t> weights_;
  std::vector<int64_t> current_;  // nginx's current_weight
  int64_t total_weight_ = 0;
  size_t next_ = 0;  // equal weights: the entry to pick next
};

}  // namespace weft::upstream
