// ClusterInfo: the immutable, shared description of one upstream cluster in a config snapshot —
// its resolved endpoints, limits and stats. Workers build their own connection pools from it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config/bootstrap.h"
#include "core/http/http1_parser.h"
#include "core/http/http2_options.h"
#include "core/http/http2_stats.h"
#include "core/network/address.h"
#include "core/network/connection.h"
#include "core/stats/stats.h"
#include "core/tls/client_context.h"
#include "core/upstream/health_table.h"
#include "core/upstream/host.h"
#include "core/upstream/load_balancer.h"

namespace weft::upstream {

struct ClusterStats {
  explicit ClusterStats(stats::Store& store, const std::string& cluster);
  stats::Counter& cx_total;
  stats::Gauge& cx_active;
  stats::Counter& cx_connect_fail;
  stats::Counter& cx_connect_timeout;
  stats::Counter& cx_overflow;        // a new connection was needed but max_connections was hit
  stats::Counter& cx_destroy_remote;  // the upstream closed a connection
  stats::Counter& rq_total;
  stats::Gauge& rq_active;
  stats::Counter& rq_pending_overflow;  // 503 UO: too many requests waiting or in flight
  stats::Counter& rq_reset;
  stats::Counter& rq_1xx;
  stats::Counter& rq_2xx;
  stats::Counter& rq_3xx;
  stats::Counter& rq_4xx;
  stats::Counter& rq_5xx;
  stats::Counter& protocol_error;
  stats::Counter& no_healthy_host;    // 503: every host unhealthy, panic off (flag UH)
  stats::Counter& rq_retry;           // retries sent
  stats::Counter& rq_retry_success;   // retried requests whose final outcome was not retriable
  stats::Counter& rq_retry_overflow;  // retries refused by max_retries
  stats::Counter& rq_retry_limit_exceeded;  // retriable outcomes passed on: retries spent (URX)
  stats::Counter& ejections_total;          // outlier_detection.ejections_total
  stats::Gauge& ejections_active;           // outlier_detection.ejections_active, over all workers

  stats::Counter& byClass(int status);
};

struct ClusterInfo {
  config::Cluster config;
  std::vector<network::Address> endpoints;
  std::vector<std::string> endpoint_names;  // "ip:port" of each endpoint, formatted once
  std::vector<HostSpec> host_specs;         // the endpoints as the balancers see them
  LoadBalancerFactoryPtr balancer;          // shared by every worker's balancer
  HealthTablePtr active_health;             // with a health check: its verdicts, else null
  http1::Limits response_limits;
  http::Http2Options http2_options;  // when config.protocol is http2
  std::unique_ptr<ClusterStats> stats;
  std::unique_ptr<http::Http2Stats> http2_stats;
  std::shared_ptr<tls::ClientContext> tls;  // null: plaintext to the endpoints

  // Resolves the endpoints; stats are found or created in `store` under tag cluster=<name>.
  // With a health check, the table of `previous` (the cluster of that name in the config being
  // replaced, or null) is shared when its endpoints and check are the same; else a new one starts
  // from its verdicts for the hosts that stay.
  static Result<std::shared_ptr<const ClusterInfo>> create(const config::Cluster& config,
                                                           stats::Store& store,
                                                           const ClusterInfo* previous);
  // For a new connection to endpoint `endpoint`: starts TLS on it when the cluster originates
  // TLS (the session resumes the endpoint's last one). False when no session could be made.
  bool startTls(network::Connection& connection, size_t endpoint) const;

  // Same endpoints, balancing and limits: a worker keeps its WorkerCluster (its balancer state,
  // outlier state and warm connections) across reloads.
  bool sameShape(const ClusterInfo& other) const;
};

using ClusterInfoPtr = std::shared_ptr<const ClusterInfo>;

}  // namespace weft::upstream
