// HealthCheckState: the verdicts of active health checking as a pure state machine (no sockets,
// no timers): the checker reports each probe's result, this says when a host changes state.
//
// A healthy host becomes unhealthy after `unhealthy_threshold` failed checks in a row; an
// unhealthy one becomes healthy after `healthy_threshold` passed checks in a row. A host starts
// unhealthy but pending: its first passed check makes it healthy at once (as in Envoy, so a new
// host does not wait healthy_threshold intervals), a failure just ends the pending state.
//
// Hosts are the indices of the name list given at construction; the caller mirrors transitions
// into HealthFlag::kFailedActiveHealthCheck. After a config reload adoptState() keeps the state of
// the hosts that remain (by name). One owner, one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/status.h"

namespace weft::upstream {

struct HealthCheckThresholds {
  uint32_t healthy_threshold = 2;    // >= 1
  uint32_t unhealthy_threshold = 3;  // >= 1
};

Status validateHealthCheckThresholds(const HealthCheckThresholds& thresholds);

class HealthCheckState {
 public:
  enum class Transition { kNone, kBecameHealthy, kBecameUnhealthy };

  // `thresholds` are valid (validateHealthCheckThresholds).
  HealthCheckState(const HealthCheckThresholds& thresholds, std::vector<std::string> host_names);

  // Takes over the state of the hosts `previous` also knows, by name.
  void adoptState(const HealthCheckState& previous);

  Transition reportCheck(size_t host, bool success);
  bool healthy(size_t host) const { return hosts_[host].healthy; }

 private:
  struct HostState {
    bool healthy = false;
    bool pending = true;  // no check has completed yet
    uint32_t streak = 0;  // checks in a row that disagree with `healthy`
  };

  HealthCheckThresholds thresholds_;
  std::vector<std::string> names_;
  std::vector<HostState> hosts_;
};

}  // namespace weft::upstream
