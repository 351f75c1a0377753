// OutlierDetector: see outlier_detector.h.
#include "core/upstream/outlier_detector.h"

#include <algorithm>

#include "core/upstream/host.h"

namespace weft::upstream {

Status validateOutlierConfig(const OutlierConfig& config) {
  if (config.interval.count() <= 0) return Status::error("interval: must be positive");
  if (config.base_ejection_time.count() <= 0)
    return Status::error("base_ejection_time: must be positive");
  if (config.max_ejection_time.count() < 0)
    return Status::error("max_ejection_time: must not be negative");
  if (config.max_ejection_percent > 100)
    return Status::error("max_ejection_percent: must be 0..100");
  return Status::ok();
}

OutlierDetector::OutlierDetector(const OutlierConfig& config, std::vector<std::string> host_names,
                                 EjectionCallback on_ejection, MonotonicTime now)
    : config_(config),
      names_(std::move(host_names)),
      hosts_(names_.size()),
      on_ejection_(std::move(on_ejection)),
      interval_end_(now + config.interval) {}

void OutlierDetector::adoptState(const OutlierDetector& previous) {
  std::vector<std::optional<size_t>> matches = matchHostsByName(previous.names_, names_);
  stats_ = previous.stats_;
  stats_.ejections_active = 0;
  for (size_t i = 0; i < hosts_.size(); ++i) {
    if (!matches[i]) continue;
    hosts_[i] = previous.hosts_[*matches[i]];
    if (!hosts_[i].ejected) continue;
    ++stats_.ejections_active;
    if (on_ejection_) on_ejection_(i, true);
  }
  interval_end_ = previous.interval_end_;
}

void OutlierDetector::reportResult(size_t host, RequestOutcome outcome, MonotonicTime now) {
  HostState& state = hosts_[host];
  if (state.ejected) return;
  if (!outcome.is5xx()) {
    state.consecutive_5xx = 0;
    state.consecutive_gateway_errors = 0;
    return;
  }
  state.consecutive_gateway_errors =
      outcome.isGatewayError() ? state.consecutive_gateway_errors + 1 : 0;
  ++state.consecutive_5xx;
  if (config_.consecutive_gateway_errors != 0 &&
      state.consecutive_gateway_errors >= config_.consecutive_gateway_errors) {
    eject(host, Reason::kConsecutiveGatewayErrors, now);
  } else if (config_.consecutive_5xx != 0 && state.consecutive_5xx >= config_.consecutive_5xx) {
    eject(host, Reason::kConsecutive5xx, now);
  }
}

// A streak that reached its threshold is spent whether or not the ejection is allowed: the host
// has to fail the whole count again to be considered anew.
void OutlierDetector::eject(size_t host, Reason reason, MonotonicTime now) {
  HostState& state = hosts_[host];
  state.consecutive_5xx = 0;
  state.consecutive_gateway_errors = 0;
  if ((stats_.ejections_active + 1) * 100 >
      uint64_t{config_.max_ejection_percent} * hosts_.size()) {
    ++stats_.ejections_overflow;
    return;
  }
  ++state.ejections;
  auto longest = std::max(config_.base_ejection_time, config_.max_ejection_time);
  state.returns_at = now + std::min(config_.base_ejection_time * state.ejections, longest);
  state.ejected = true;
  ++stats_.ejections_total;
  ++stats_.ejections_active;
  ++(reason == Reason::kConsecutive5xx ? stats_.ejections_consecutive_5xx
                                       : stats_.ejections_consecutive_gateway_failure);
  if (on_ejection_) on_ejection_(host, true);
}

void OutlierDetector::tick(MonotonicTime now) {
  endIntervals(now);
  for (size_t i = 0; i < hosts_.size(); ++i) {
    HostState& state = hosts_[i];
    if (!state.ejected || state.returns_at > now) continue;
    state.ejected = false;
    --stats_.ejections_active;
    if (on_ejection_) on_ejection_(i, false);
  }
}

// Every interval that ends while a host is in service forgives one of its ejections. This runs
// before the returns, so a host this tick brings back is not forgiven for intervals that ended
// while it was ejected (a late tick errs towards not forgiving).
void OutlierDetector::endIntervals(MonotonicTime now) {
  if (now < interval_end_) return;
  uint64_t ended = 1 + static_cast<uint64_t>((now - interval_end_) / config_.interval);
  interval_end_ += config_.interval * ended;
  for (HostState& state : hosts_) {
    if (state.ejected) continue;
    state.ejections -= static_cast<uint32_t>(std::min<uint64_t>(state.ejections, ended));
  }
}

MonotonicTime OutlierDetector::nextTick() const {
  MonotonicTime next = interval_end_;
  for (const HostState& state : hosts_) {
    if (state.ejected) next = std::min(next, state.returns_at);
  }
  return next;
}

}  // namespace weft::upstream
