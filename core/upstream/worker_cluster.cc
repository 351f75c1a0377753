// WorkerCluster: see worker_cluster.h.
#include "core/upstream/worker_cluster.h"

#include <algorithm>
#include <chrono>

namespace weft::upstream {
namespace {

MonotonicTime now() { return std::chrono::steady_clock::now(); }

}  // namespace

WorkerCluster::WorkerCluster(event_base* base, event::DeferredDeleter& deleter,
                             ClusterInfoPtr cluster, size_t high_watermark, uint64_t seed)
    : outlier_timer_(base, &event::callMember<&WorkerCluster::onOutlierTick, WorkerCluster>, this) {
  // ClusterInfo::create built the same host set and balancer once: these cannot fail here.
  hosts_ = std::move(*HostSet::create(cluster->host_specs));
  balancer_ = std::move(*cluster->balancer->create(hosts_->all(), seed));
  if (cluster->config.outlier_detection) {
    outlier_.emplace(
        *cluster->config.outlier_detection, cluster->endpoint_names,
        [this](size_t host, bool ejected) { onEjection(host, ejected); }, now());
    armOutlierTick();
  }
  health_ = cluster->active_health.get();
  pool_ = makeConnPool(base, deleter, std::move(cluster), high_watermark);
}

void WorkerCluster::syncActiveHealth() {
  health_seen_ = health_->generation();
  for (size_t i = 0; i < hosts_->size(); ++i) {
    hosts_->setHealthFlag(i, HealthFlag::kFailedActiveHealthCheck, health_->failed(i));
  }
}

WorkerCluster::~WorkerCluster() {
  if (ejected_now_ > 0) info().stats->ejections_active.sub(ejected_now_);
}

void WorkerCluster::adoptState(const WorkerCluster& previous) {
  if (outlier_ && previous.outlier_) {
    adopting_ = true;  // carried ejections were counted in ejections_total when they happened
    outlier_->adoptState(*previous.outlier_);
    adopting_ = false;
    armOutlierTick();
  }
}

bool WorkerCluster::admitRequest() {
  if (active_requests_ >= info().config.max_requests) {
    info().stats->rq_pending_overflow.inc();
    return false;
  }
  ++active_requests_;
  return true;
}

bool WorkerCluster::admitRetry() {
  if (active_retries_ >= info().config.max_retries) {
    info().stats->rq_retry_overflow.inc();
    return false;
  }
  ++active_retries_;
  return true;
}

void WorkerCluster::reportOutcome(size_t host, RequestOutcome outcome) {
  if (outlier_) outlier_->reportResult(host, outcome, now());
}

void WorkerCluster::onEjection(size_t host, bool ejected) {
  hosts_->setHealthFlag(host, HealthFlag::kEjectedByOutlierDetection, ejected);
  ClusterStats& stats = *info().stats;
  if (ejected) {
    ++ejected_now_;
    if (!adopting_) stats.ejections_total.inc();
    stats.ejections_active.add(1);
  } else {
    --ejected_now_;
    stats.ejections_active.sub(1);
  }
  armOutlierTick();  // a return may now be due before the interval ends
}

void WorkerCluster::onOutlierTick() {
  outlier_->tick(now());
  armOutlierTick();
}

void WorkerCluster::armOutlierTick() {
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(outlier_->nextTick() - now());
  outlier_timer_.arm(static_cast<uint64_t>(std::max<int64_t>(wait.count(), 0)));
}

}  // namespace weft::upstream
