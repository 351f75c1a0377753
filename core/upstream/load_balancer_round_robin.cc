// RoundRobinLoadBalancer: see load_balancer_round_robin.h.
#include "core/upstream/load_balancer_round_robin.h"

#include <cstdint>

namespace weft::upstream {

RoundRobinLoadBalancer::RoundRobinLoadBalancer(const HostList& hosts, const LbConfig& config,
                                               uint64_t seed)
    : candidates_(hosts, config.healthy_panic_threshold), seed_(seed) {
  rebuild();
}

void RoundRobinLoadBalancer::rebuild() {
  const std::vector<Host*>& candidates = candidates_.hosts();
  hosts_.clear();
  weights_.clear();
  total_weight_ = 0;
  size_t start = candidates.empty() ? 0 : seed_ % candidates.size();
  for (size_t i = 0; i < candidates.size(); ++i) {
    Host* host = candidates[(start + i) % candidates.size()];
    hosts_.push_back(host);
    weights_.push_back(host->weight());
    total_weight_ += host->weight();
  }
  current_.assign(hosts_.size(), 0);
  next_ = 0;
}

Host* RoundRobinLoadBalancer::chooseHost(const LbContext&) {
  if (candidates_.refresh()) rebuild();
  if (hosts_.empty()) return nullptr;
  if (!candidates_.equalWeights()) return chooseWeighted();
  Host* host = hosts_[next_];
  if (++next_ == hosts_.size()) next_ = 0;
  return host;
}

// Every host gains its weight; the one with the most current weight wins and pays back the total.
// Ties go to the earlier host.
Host* RoundRobinLoadBalancer::chooseWeighted() {
  size_t best = 0;
  int64_t best_current = INT64_MIN;
  for (size_t i = 0; i < current_.size(); ++i) {
    int64_t current = current_[i] += weights_[i];
    if (current > best_current) {
      best_current = current;
      best = i;
    }
  }
  current_[best] -= total_weight_;
  return hosts_[best];
}

}  // namespace weft::upstream
