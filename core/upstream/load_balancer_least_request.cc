// LeastRequestLoadBalancer: see load_balancer_least_request.h.
#include "core/upstream/load_balancer_least_request.h"

#include <cmath>

namespace weft::upstream {

LeastRequestLoadBalancer::LeastRequestLoadBalancer(const HostList& hosts, const LbConfig& config,
                                                   uint64_t seed)
    : candidates_(hosts, config.healthy_panic_threshold),
      prng_(seed),
      choice_count_(config.choice_count),
      active_request_bias_(config.active_request_bias) {
  rebuild();
}

void LeastRequestLoadBalancer::rebuild() {
  const std::vector<Host*>& hosts = candidates_.hosts();
  scheduler_.clear();
  if (candidates_.equalWeights()) return;
  for (size_t i = 0; i < hosts.size(); ++i) scheduler_.add(i, scaledWeight(*hosts[i]));
}

double LeastRequestLoadBalancer::scaledWeight(const Host& host) const {
  double load = host.activeRequests() + 1.0;
  if (active_request_bias_ == 1.0) return host.weight() / load;
  return host.weight() / std::pow(load, active_request_bias_);
}

Host* LeastRequestLoadBalancer::chooseHost(const LbContext&) {
  if (candidates_.refresh()) rebuild();
  const std::vector<Host*>& hosts = candidates_.hosts();
  if (hosts.empty()) return nullptr;
  if (!candidates_.equalWeights()) {
    size_t picked = scheduler_.next();
    scheduler_.add(picked, scaledWeight(*hosts[picked]));
    return hosts[picked];
  }
  Host* best = nullptr;
  for (uint32_t i = 0; i < choice_count_; ++i) {
    Host* sampled = hosts[prng_.below(hosts.size())];
    if (best == nullptr || sampled->activeRequests() < best->activeRequests()) best = sampled;
  }
  return best;
}

}  // namespace weft::upstream
