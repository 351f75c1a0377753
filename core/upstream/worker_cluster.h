// WorkerCluster: one worker's view of one cluster — its hosts with their health, the balancer that
// picks a host for each request, outlier detection, the max_requests circuit breaker and the
// connection pool. Worker-local: nothing here takes a lock.
//
// A request's life here (UpstreamRequest drives it):
//   admitRequest()     false past max_requests in flight: 503, flag UO
//   chooseHost(ctx)    nullptr when no host may take traffic (all ejected, panic off): 503, UH
//   pool().newStream(client, host)
//   reportOutcome(host, outcome)   each response status or connect failure feeds outlier
//                                  detection, which ejects (and later returns) hosts
//   endRequest()
// A RetryingRequest also passes admitRetry() (max_retries) before each retry.
//
// Outlier detection is per worker (Envoy runs it once per cluster on the main thread): each
// worker ejects a host from its own traffic's evidence. Its ejections count in the cluster's
// outlier_detection.* stats over all workers.
//
// Across a config reload the Worker keeps a WorkerCluster whose cluster kept its shape
// (ClusterInfo::sameShape); otherwise the new one takes over the old one's outlier state
// (adoptState) for the hosts that stay, so an ejected host stays ejected.
#pragma once

#include <memory>
#include <optional>

#include "core/event/event_loop.h"
#include "core/upstream/cluster.h"
#include "core/upstream/conn_pool.h"
#include "core/upstream/host.h"
#include "core/upstream/load_balancer.h"
#include "core/upstream/outlier_detector.h"

namespace weft::upstream {

class WorkerCluster {
 public:
  // `seed` feeds the balancer's random choices (give each worker its own).
  WorkerCluster(event_base* base, event::DeferredDeleter& deleter, ClusterInfoPtr cluster,
                size_t high_watermark, uint64_t seed);
  ~WorkerCluster();
  WorkerCluster(const WorkerCluster&) = delete;
  WorkerCluster& operator=(const WorkerCluster&) = delete;

  // Carries over `previous`'s outlier state for the hosts both know (by name).
  void adoptState(const WorkerCluster& previous);

  const ClusterInfo& info() const { return pool_->cluster(); }
  const ClusterInfoPtr& infoPtr() const { return pool_->clusterPtr(); }
  ConnPool& pool() { return *pool_; }
  HostSet& hosts() { return *hosts_; }

  bool admitRequest();
  void endRequest() { --active_requests_; }
  // The max_retries circuit breaker: retries in flight (from being granted to their attempt's
  // end). False when it is full (counted as upstream_rq_retry_overflow).
  bool admitRetry();
  void endRetry() { --active_retries_; }
  Host* chooseHost(const LbContext& context) {
    if (health_ != nullptr && health_->generation() != health_seen_) syncActiveHealth();
    return balancer_->chooseHost(context);
  }
  void reportOutcome(size_t host, RequestOutcome outcome);

  // Closes idle connections; true once nothing is open.
  bool drain() { return pool_->drain(); }

 private:
  void onEjection(size_t host, bool ejected);
  // Copies the active health checks' verdicts into the host set.
  void syncActiveHealth();
  void onOutlierTick();
  void armOutlierTick();

  HostSetPtr hosts_;
  LoadBalancerPtr balancer_;
  std::unique_ptr<ConnPool> pool_;
  std::optional<OutlierDetector> outlier_;
  const HealthTable* health_ = nullptr;  // the cluster's active health, if checked
  uint64_t health_seen_ = 0;             // the table generation the host set reflects
  event::Timer outlier_timer_;
  uint32_t active_requests_ = 0;
  uint32_t active_retries_ = 0;
  uint32_t ejected_now_ = 0;  // this worker's share of ejections_active
  bool adopting_ = false;
};

}  // namespace weft::upstream
