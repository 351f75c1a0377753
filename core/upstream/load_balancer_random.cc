// RandomLoadBalancer: see load_balancer_random.h.
#include "core/upstream/load_balancer_random.h"

#include <algorithm>

namespace weft::upstream {

RandomLoadBalancer::RandomLoadBalancer(const HostList& hosts, const LbConfig& config, uint64_t seed)
    : candidates_(hosts, config.healthy_panic_threshold), prng_(seed) {
  rebuild();
}

void RandomLoadBalancer::rebuild() {
  const std::vector<Host*>& hosts = candidates_.hosts();
  cumulative_.clear();
  if (candidates_.equalWeights()) return;
  uint64_t sum = 0;
  for (const Host* host : hosts) cumulative_.push_back(sum += host->weight());
}

Host* RandomLoadBalancer::chooseHost(const LbContext&) {
  if (candidates_.refresh()) rebuild();
  const std::vector<Host*>& hosts = candidates_.hosts();
  if (hosts.empty()) return nullptr;
  if (candidates_.equalWeights()) return hosts[prng_.below(hosts.size())];
  uint64_t point = prng_.below(cumulative_.back());
  auto slot = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
  return hosts[slot - cumulative_.begin()];
}

}  // namespace weft::upstream
