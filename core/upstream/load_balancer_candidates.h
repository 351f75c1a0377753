// Candidates: which hosts of a HostList a balancer may pick right now — the healthy ones, or, when
// their share falls below the panic threshold, all of them (Envoy's panic mode: better to spread
// load over possibly-bad hosts than to pile it onto the few good ones). Shared by every policy.
//
// The list is recomputed only when the HostSet's health generation moved, so the per-pick cost is
// one comparison. Owned by one balancer, on its worker.
#pragma once

#include <cstdint>
#include <vector>

#include "core/upstream/host.h"

namespace weft::upstream {

class Candidates {
 public:
  // `panic_threshold` in percent; 0 never panics.
  Candidates(const HostList& list, uint32_t panic_threshold);

  // Catches up with health changes. True when the candidates were recomputed, so the caller
  // rebuilds whatever it derived from them.
  bool refresh();

  // Healthy hosts in list order, or every host in panic mode. Empty when the list is, or when no
  // host is healthy and panic mode is off.
  const std::vector<Host*>& hosts() const { return hosts_; }
  bool panic() const { return panic_; }
  // True when every candidate has the same weight (so policies can skip weighting).
  bool equalWeights() const { return equal_weights_; }

 private:
  void rebuild();

  const HostList& list_;
  uint32_t panic_threshold_;
  uint64_t generation_;
  std::vector<Host*> hosts_;
  bool panic_ = false;
  bool equal_weights_ = true;
};

}  // namespace weft::upstream
