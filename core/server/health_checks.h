// HealthChecks: the server's active health checkers, one per cluster that has a health check, on
// the main thread. Each writes its verdicts into its cluster's HealthTable (health_table.h), which
// the workers read. When a new config becomes current, sync() keeps the checker of a cluster whose
// table was carried over unchanged, and starts a new one (taking over the old one's host states
// and counters by host name) where the endpoints or the check changed. Their counters are exported
// as health_check.{attempt,success,failure,network_failure} and the gauge health_check.healthy,
// tagged with the cluster.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/server/snapshot.h"
#include "core/stats/stats.h"
#include "core/upstream/health_checker.h"

namespace weft::server {

class HealthChecks {
 public:
  HealthChecks(event_base* base, stats::Store& stats) : base_(base), stats_(stats) {}

  // `current` just became the config in force.
  void sync(const ConfigSnapshot& current);
  // Adds what the checkers counted since the last call to the stats.
  void publishStats();

 private:
  struct Checked {
    upstream::HealthTablePtr table;
    std::unique_ptr<upstream::HealthChecker> checker;
    upstream::HealthCheckStats published;  // what publishStats() already added
  };

  event_base* base_;
  stats::Store& stats_;
  std::map<std::string, Checked> clusters_;
  uint64_t seed_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace weft::server
