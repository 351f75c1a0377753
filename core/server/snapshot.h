// ConfigSnapshot: one immutable, complete configuration of the proxy — listeners with their
// filter chains, clusters, access log — built on the main thread from a Bootstrap and shared with
// every worker by shared_ptr. A stream holds the snapshot it began with until it ends, so a reload
// never changes a request in flight; a new snapshot is used by every stream that starts after it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/access_log/access_log_format.h"
#include "core/access_log/access_log_writer.h"
#include "core/config/bootstrap.h"
#include "core/http/http1_parser.h"
#include "core/http/http2_options.h"
#include "core/http/http2_stats.h"
#include "core/network/address.h"
#include "core/stats/stats.h"
#include "core/tls/server_context.h"
#include "core/upstream/cluster.h"
#include "plugins/host/filter_instance.h"
#include "plugins/host/module_registry.h"

namespace weft::server {

// Counters of one listener; names follow Envoy's (downstream_cx_*, downstream_rq_*).
struct ListenerStats {
  ListenerStats(stats::Store& store, const std::string& listener);
  stats::Counter& cx_total;
  stats::Gauge& cx_active;
  stats::Counter& cx_overflow;  // refused: max_connections reached
  stats::Counter& cx_idle_timeout;
  stats::Counter& cx_plaintext_refused;  // plaintext where mutual TLS is required
  stats::Counter& rq_total;
  stats::Gauge& rq_active;
  stats::Counter& rq_1xx;
  stats::Counter& rq_2xx;
  stats::Counter& rq_3xx;
  stats::Counter& rq_4xx;
  stats::Counter& rq_5xx;
  stats::Counter& rq_header_timeout;  // 408
  stats::Counter& rq_timeout;         // request_timeout hit
  stats::Counter& rq_no_cluster;
  stats::Counter& rq_upstream_failure;
  stats::Counter& rq_buffer_overflow;  // 413
  stats::Counter& rq_max_per_connection;
  stats::Counter& bytes_received;
  stats::Counter& bytes_sent;
  std::array<stats::Counter*, static_cast<size_t>(http1::ParseError::kCount)> parse_errors{};
  // downstream_rq_response_flag{flag=...}: requests by Envoy response flag (UH, UF, UO, NR, URX,
  // UT, DI, FI, ...); a flag Envoy does not define counts as flag="other".
  std::vector<std::pair<std::string_view, stats::Counter*>> response_flags;

  stats::Counter& byClass(int status);
  stats::Counter& responseFlag(std::string_view flag);
};

struct ListenerSnapshot {
  config::Listener config;
  network::Address address;
  http1::Limits parse_limits;
  http::Http2Options http2_options;
  std::vector<plugins::FilterInstancePtr> chain;  // user filters, then the router
  std::unique_ptr<ListenerStats> stats;
  std::unique_ptr<http::Http2Stats> http2_stats;
  // Null: plaintext only. Otherwise connections that start with a TLS ClientHello are terminated
  // here (plaintext ones are still served). Shared with the next snapshot while unchanged.
  std::shared_ptr<tls::ServerContext> tls;
};

// Writes one line per finished stream, never blocking a worker.
struct AccessLogger {
  access_log::AccessLogFormat format;
  std::unique_ptr<access_log::AccessLogWriter> writer;
};

struct ConfigSnapshot {
  uint64_t version = 0;
  config::Bootstrap bootstrap;
  std::map<std::string, std::shared_ptr<const ListenerSnapshot>, std::less<>> listeners;
  std::map<std::string, upstream::ClusterInfoPtr, std::less<>> clusters;
  std::shared_ptr<AccessLogger> access_log;  // null when off

  // Builds every part: resolves addresses, loads and configures filters (a module that refuses
  // its config fails the whole build with its message), loads TLS contexts (reusing those of
  // `previous`, the running snapshot if any, whose blocks did not change), opens the access log.
  static Result<std::shared_ptr<const ConfigSnapshot>> build(
      const config::Bootstrap& bootstrap, uint64_t version, plugins::ModuleRegistry& modules,
      stats::Store& stats, uint32_t worker_count, const ConfigSnapshot* previous);
};

using SnapshotPtr = std::shared_ptr<const ConfigSnapshot>;

}  // namespace weft::server
