// OutlierDetector: passive health checking (Istio DestinationRule `outlierDetection`, Envoy
// `outlier_detection`) as a pure state machine over one cluster's hosts.
//
// The caller reports what became of each request (reportResult) and calls tick() when
// nextTick() comes; the current time is always passed in, so there is no clock inside and tests
// never sleep. A host is ejected when it returns `consecutive_5xx` 5xx in a row (a connect failure
// counts as a 5xx) or `consecutive_gateway_errors` gateway errors in a row (502, 503, 504 or a
// connect failure); any other response resets both streaks. An ejection lasts
// base_ejection_time × (times the host has been ejected), at most max(base_ejection_time,
// max_ejection_time); at the end of each `interval` a host that is not ejected has that multiplier
// lowered by one, so a host that recovered for good is forgiven step by step. A host is not
// ejected when that would leave more than max_ejection_percent of the hosts ejected (with the
// default 10% and fewer than 10 hosts, nothing is ever ejected — as in Envoy and Istio).
// Istio's `minHealthPercent` is not the detector's: it is the balancer's
// LbConfig::healthy_panic_threshold.
//
// Hosts are the indices of the name list given at construction (the cluster's endpoints, in
// order). Ejections and returns are reported through the callback, which typically sets
// HealthFlag::kEjectedByOutlierDetection in the HostSet so the balancers skip the host. State is
// keyed by host name: after a config reload, adoptState() carries streaks, ejections and
// multipliers over for the hosts that remain, and the counters for the cluster.
//
// One owner, one thread; nothing here is synchronised.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/status.h"

namespace weft::upstream {

using MonotonicTime = std::chrono::steady_clock::time_point;

struct OutlierConfig {
  uint32_t consecutive_5xx = 5;             // 0: off
  uint32_t consecutive_gateway_errors = 0;  // 0: off (Istio's default)
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds base_ejection_time{30000};
  std::chrono::milliseconds max_ejection_time{300000};
  uint32_t max_ejection_percent = 10;  // 0..100

  bool operator==(const OutlierConfig&) const = default;
};

// Positive interval and base ejection time, max_ejection_percent <= 100.
Status validateOutlierConfig(const OutlierConfig& config);

// What became of one request to a host.
class RequestOutcome {
 public:
  static RequestOutcome httpStatus(int status) { return RequestOutcome(status); }
  // No response: the connection could not be made, timed out, or was reset before a response.
  static RequestOutcome connectFailure() { return RequestOutcome(0); }

  bool is5xx() const { return code_ == 0 || (code_ >= 500 && code_ <= 599); }
  bool isGatewayError() const { return code_ == 0 || code_ == 502 || code_ == 503 || code_ == 504; }

 private:
  explicit RequestOutcome(int code) : code_(code) {}
  int code_;  // HTTP status, or 0 for a connect failure
};

// Plain numbers for the caller to export (Envoy's outlier_detection.* names).
struct OutlierStats {
  uint64_t ejections_total = 0;
  uint64_t ejections_active = 0;    // hosts ejected right now
  uint64_t ejections_overflow = 0;  // ejections refused by max_ejection_percent
  uint64_t ejections_consecutive_5xx = 0;
  uint64_t ejections_consecutive_gateway_failure = 0;
};

class OutlierDetector {
 public:
  // Told when host `host` is ejected (true) or returns (false). May be empty.
  using EjectionCallback = std::function<void(size_t host, bool ejected)>;

  // `config` is valid (validateOutlierConfig). The first interval starts at `now`.
  OutlierDetector(const OutlierConfig& config, std::vector<std::string> host_names,
                  EjectionCallback on_ejection, MonotonicTime now);

  // Takes over the state of the hosts `previous` also knows (by name), its counters and its
  // interval clock; the callback is told about each carried ejection. Call it right after
  // construction, before any report.
  void adoptState(const OutlierDetector& previous);

  // Results for an ejected host are ignored: its streaks start afresh when it returns.
  void reportResult(size_t host, RequestOutcome outcome, MonotonicTime now);
  // Ends the intervals that are over and returns the hosts whose ejection time has passed.
  void tick(MonotonicTime now);
  // When tick() has work next: the end of the current interval or an earlier return.
  MonotonicTime nextTick() const;

  bool ejected(size_t host) const { return hosts_[host].ejected; }
  // The multiplier of the host's next ejection time, minus one: ejections not yet forgiven.
  uint32_t ejectionCount(size_t host) const { return hosts_[host].ejections; }
  const OutlierStats& stats() const { return stats_; }

 private:
  enum class Reason { kConsecutive5xx, kConsecutiveGatewayErrors };
  struct HostState {
    uint32_t consecutive_5xx = 0;
    uint32_t consecutive_gateway_errors = 0;
    uint32_t ejections = 0;
    bool ejected = false;
    MonotonicTime returns_at{};
  };

  void eject(size_t host, Reason reason, MonotonicTime now);
  void endIntervals(MonotonicTime now);

  OutlierConfig config_;
  std::vector<std::string> names_;
  std::vector<HostState> hosts_;
  EjectionCallback on_ejection_;
  MonotonicTime interval_end_;
  OutlierStats stats_;
};

}  // namespace weft::upstream
