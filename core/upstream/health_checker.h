// HealthChecker: active health checking of one cluster's endpoints (Envoy's HealthCheck: an HTTP
// GET whose status must be expected, or a TCP connect with optional send / receive bytes; the
// format is in core/config/health_check_config.h).
//
// Every endpoint is checked on its own cycle: a check, then `interval` plus a random
// 0..`interval_jitter`, then the next check; each check gets `timeout`. The results feed a
// HealthCheckState (core/upstream/health_check_state.h), whose thresholds decide when a host
// changes state; each change is reported through the TransitionCallback, which the owner mirrors
// into HealthFlag::kFailedActiveHealthCheck of its HostSets.
//
// Hosts start unhealthy and pending: a host's first passed check makes it healthy at once. Before
// start(), an owner that builds HostSets sets their flags from healthy(); after a config reload,
// adoptState() carries each remaining host's state (by name) and the counters over from the
// previous checker, which can then be destroyed.
//
// Checks use the cluster's TLS settings when it has them (Envoy's default: the health check goes
// over the cluster's transport socket), so a TLS-only endpoint is checked over TLS.
//
// One HealthChecker per cluster, created, used and destroyed on the thread of the event loop it is
// given. Destroying it cancels the checks in flight (their sockets are closed) and no callback
// follows. The callback is called from a timer with nothing of the checker on the stack after it,
// so it may destroy the checker.
#pragma once

#include <event2/event.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/health_check_config.h"
#include "core/network/address.h"
#include "core/tls/client_context.h"
#include "core/upstream/health_check_script.h"
#include "core/upstream/health_check_session.h"
#include "core/upstream/health_check_state.h"
#include "core/upstream/load_balancer_prng.h"

namespace weft::upstream {

// Plain numbers for the owner to export, with Envoy's cluster.<name>.health_check.* names.
struct HealthCheckStats {
  uint64_t attempt = 0;          // checks completed
  uint64_t success = 0;          // checks passed
  uint64_t failure = 0;          // checks failed, for any reason
  uint64_t network_failure = 0;  // of those, without an answer: refused, reset, closed early,
                                 // timed out, or a reply that is not HTTP / too long
  uint64_t healthy = 0;          // gauge: hosts healthy now
};

class HealthChecker : private HealthCheckSession::Owner {
 public:
  // Told when host `host` (an index into the endpoint list) becomes healthy or unhealthy.
  using TransitionCallback = std::function<void(size_t host, bool healthy)>;

  // `config` as readHealthChecks() produces it (valid: positive timeout and interval, thresholds
  // >= 1, exactly one of http / tcp). `endpoints` and `names` are parallel: a cluster's
  // ClusterInfo::endpoints and ::endpoint_names. `cluster_name` is the Host header of an HTTP
  // check that names none. `tls` is the cluster's ClusterInfo::tls (null: plaintext). `seed`
  // seeds the interval jitter. Nothing is checked until start().
  HealthChecker(event_base* base, const config::HealthCheck& config, std::string_view cluster_name,
                const std::vector<network::Address>& endpoints,
                const std::vector<std::string>& names, std::shared_ptr<tls::ClientContext> tls,
                TransitionCallback on_transition, uint64_t seed);
  ~HealthChecker() override;
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // Takes over the state of the hosts `previous` also checks (by name), and its counters. Call it
  // before start(); no callback is made for the carried states (read them with healthy()).
  void adoptState(const HealthChecker& previous);

  // Checks every endpoint now, then on each one's cycle.
  void start();

  bool healthy(size_t host) const { return state_.healthy(host); }
  const HealthCheckStats& stats() const { return stats_; }

 private:
  // HealthCheckSession::Owner
  uint64_t nextIntervalMs() override;
  void onCheckDone(size_t host, CheckResult result) override;

  uint32_t interval_ms_;
  uint32_t interval_jitter_ms_;
  HealthCheckScript script_;  // shared by the sessions, declared before them
  std::shared_ptr<tls::ClientContext> tls_;
  HealthCheckState state_;
  TransitionCallback on_transition_;
  Prng prng_;
  HealthCheckStats stats_;
  std::vector<std::unique_ptr<HealthCheckSession>> sessions_;  // one per endpoint
};

using HealthCheckerPtr = std::unique_ptr<HealthChecker>;

}  // namespace weft::upstream
