// Candidates: see load_balancer_candidates.h.
#include "core/upstream/load_balancer_candidates.h"

namespace weft::upstream {

Candidates::Candidates(const HostList& list, uint32_t panic_threshold)
    : list_(list), panic_threshold_(panic_threshold), generation_(list.healthGeneration()) {
  rebuild();
}

bool Candidates::refresh() {
  if (list_.healthGeneration() == generation_) return false;
  generation_ = list_.healthGeneration();
  rebuild();
  return true;
}

void Candidates::rebuild() {
  hosts_.clear();
  for (Host* host : list_.hosts()) {
    if (host->healthy()) hosts_.push_back(host);
  }
  // Envoy's rule: panic when healthy% < threshold, counting hosts (not weights).
  panic_ = hosts_.size() * 100 < uint64_t{panic_threshold_} * list_.size();
  if (panic_) hosts_ = list_.hosts();
  equal_weights_ = true;
  for (const Host* host : hosts_) {
    equal_weights_ = equal_weights_ && host->weight() == hosts_.front()->weight();
  }
}

}  // namespace weft::upstream
