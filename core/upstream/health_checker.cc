// HealthChecker: see health_checker.h.
#include "core/upstream/health_checker.h"

#include <cassert>

namespace weft::upstream {

HealthChecker::HealthChecker(event_base* base, const config::HealthCheck& config,
                             std::string_view cluster_name,
                             const std::vector<network::Address>& endpoints,
                             const std::vector<std::string>& names,
                             std::shared_ptr<tls::ClientContext> tls,
                             TransitionCallback on_transition, uint64_t seed)
    : interval_ms_(config.interval_ms),
      interval_jitter_ms_(config.interval_jitter_ms),
      script_(config, cluster_name),
      tls_(std::move(tls)),
      state_({config.healthy_threshold, config.unhealthy_threshold}, names),
      on_transition_(std::move(on_transition)),
      prng_(seed) {
  assert(endpoints.size() == names.size());
  HealthCheckSession::Owner& owner = *this;
  sessions_.reserve(endpoints.size());
  for (size_t i = 0; i < endpoints.size(); ++i) {
    sessions_.push_back(std::make_unique<HealthCheckSession>(
        base, script_, config.timeout_ms, i, endpoints[i], names[i], tls_.get(), owner));
  }
}

HealthChecker::~HealthChecker() = default;

void HealthChecker::adoptState(const HealthChecker& previous) {
  state_.adoptState(previous.state_);
  stats_ = previous.stats_;
  stats_.healthy = 0;
  for (size_t i = 0; i < sessions_.size(); ++i) stats_.healthy += state_.healthy(i) ? 1 : 0;
}

void HealthChecker::start() {
  for (auto& session : sessions_) session->start(0);
}

uint64_t HealthChecker::nextIntervalMs() {
  return interval_ms_ + (interval_jitter_ms_ > 0 ? prng_.below(interval_jitter_ms_) : 0);
}

void HealthChecker::onCheckDone(size_t host, CheckResult result) {
  ++stats_.attempt;
  const bool passed = result == CheckResult::kSuccess;
  if (passed) {
    ++stats_.success;
  } else {
    ++stats_.failure;
    if (result == CheckResult::kNetworkFailure) ++stats_.network_failure;
  }
  const HealthCheckState::Transition transition = state_.reportCheck(host, passed);
  if (transition == HealthCheckState::Transition::kNone) return;
  const bool healthy = transition == HealthCheckState::Transition::kBecameHealthy;
  if (healthy) {
    ++stats_.healthy;
  } else {
    --stats_.healthy;
  }
  if (on_transition_) on_transition_(host, healthy);  // may destroy this checker: the last step
}

}  // namespace weft::upstream
