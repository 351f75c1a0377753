// HealthCheckState: see health_check_state.h.
#include "core/upstream/health_check_state.h"

#include "core/upstream/host.h"

namespace weft::upstream {

Status validateHealthCheckThresholds(const HealthCheckThresholds& thresholds) {
  if (thresholds.healthy_threshold == 0) return Status::error("healthy_threshold: must be >= 1");
  if (thresholds.unhealthy_threshold == 0)
    return Status::error("unhealthy_threshold: must be >= 1");
  return Status::ok();
}

HealthCheckState::HealthCheckState(const HealthCheckThresholds& thresholds,
                                   std::vector<std::string> host_names)
    : thresholds_(thresholds), names_(std::move(host_names)), hosts_(names_.size()) {}

void HealthCheckState::adoptState(const HealthCheckState& previous) {
  std::vector<std::optional<size_t>> matches = matchHostsByName(previous.names_, names_);
  for (size_t i = 0; i < hosts_.size(); ++i) {
    if (matches[i]) hosts_[i] = previous.hosts_[*matches[i]];
  }
}

HealthCheckState::Transition HealthCheckState::reportCheck(size_t host, bool success) {
  HostState& state = hosts_[host];
  bool was_pending = state.pending;
  state.pending = false;
  if (success == state.healthy) {
    state.streak = 0;
    return Transition::kNone;
  }
  ++state.streak;
  uint32_t threshold = success ? thresholds_.healthy_threshold : thresholds_.unhealthy_threshold;
  if (!(success && was_pending) && state.streak < threshold) return Transition::kNone;
  state.healthy = success;
  state.streak = 0;
  return success ? Transition::kBecameHealthy : Transition::kBecameUnhealthy;
}

}  // namespace weft::upstream
