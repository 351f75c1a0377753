// HealthChecks: see health_checks.h.
#include "core/server/health_checks.h"

#include <utility>

namespace weft::server {

void HealthChecks::sync(const ConfigSnapshot& current) {
  std::map<std::string, Checked> next;
  for (const auto& [name, info] : current.clusters) {
    if (!info->active_health) continue;
    auto old = clusters_.find(name);
    if (old != clusters_.end() && old->second.table == info->active_health) {
      next.emplace(name, std::move(old->second));  // same endpoints, same check: it goes on
      continue;
    }
    Checked& checked = next[name];
    checked.table = info->active_health;
    checked.checker = std::make_unique<upstream::HealthChecker>(
        base_, *info->config.health_check, name, info->endpoints, info->endpoint_names, info->tls,
        [table = checked.table](size_t host, bool healthy) { table->set(host, !healthy); },
        seed_++);
    if (old != clusters_.end()) {
      checked.checker->adoptState(*old->second.checker);
      checked.published = old->second.published;
    }
    for (size_t host = 0; host < checked.table->size(); ++host) {
      checked.table->set(host, !checked.checker->healthy(host));
    }
    checked.checker->start();
  }
  clusters_ = std::move(next);  // checkers of clusters that changed or went are stopped here
  publishStats();
}

void HealthChecks::publishStats() {
  for (auto& [name, checked] : clusters_) {
    const upstream::HealthCheckStats& now = checked.checker->stats();
    upstream::HealthCheckStats& before = checked.published;
    const stats::Tags tags{{"cluster", name}};
    auto add = [&](const char* stat, uint64_t now_value, uint64_t& before_value) {
      if (now_value > before_value) stats_.counter(stat, tags).inc(now_value - before_value);
      before_value = now_value;
    };
    add("health_check.attempt", now.attempt, before.attempt);
    add("health_check.success", now.success, before.success);
    add("health_check.failure", now.failure, before.failure);
    add("health_check.network_failure", now.network_failure, before.network_failure);
    stats_.gauge("health_check.healthy", tags).set(static_cast<int64_t>(now.healthy));
  }
}

}  // namespace weft::server
