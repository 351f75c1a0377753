// A cluster's active health check, in the terms of Envoy's HealthCheck (what users of Envoy and
// Istio already write), and its reader for the bootstrap's `clusters[].health_checks` list.
// upstream::HealthChecker (core/upstream/health_checker.h) runs what this describes.
//
// Format (Envoy's field names; durations as everywhere in the bootstrap: "250ms", "2s", ...):
//
//   health_checks:                   # Envoy's list; Weft runs at most one check per cluster
//     - timeout: 1s                  # required: how long one check may take, connect included
//       interval: 5s                 # required: from the end of one check to the next
//       interval_jitter: 1s          # optional: a random 0..jitter is added to each interval
//       unhealthy_threshold: 3       # required: failed checks in a row that make a host unhealthy
//       healthy_threshold: 2         # required: passed checks in a row that make it healthy again
//       http_health_check:           # exactly one of http_health_check / tcp_health_check
//         path: /healthz             # required: GET this path (HTTP/1.1)
//         host: backend.internal     # optional: the Host header; absent: the cluster's name
//         expected_statuses:         # optional: [start, end) ranges; absent: 200 only
//           - { start: 200, end: 300 }
//       tcp_health_check:            # connect; then optionally send bytes and look for a reply
//         send: { text: "50494e47" }            # hex bytes written once connected
//         receive: [ { text: "504f4e47" } ]     # hex blocks that must all appear in the reply,
//                                               # in this order, not necessarily adjacent
//
// A TCP check with no `receive` passes once connected and its `send` bytes (if any) have left.
// Envoy's other checkers (grpc, custom) and fields (reuse_connection, no_traffic_interval, ...)
// are refused as unknown fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/yaml_fields.h"

namespace weft::config {

// A half-open range of HTTP statuses [start, end), as Envoy's Int64Range.
struct StatusRange {
  uint32_t start = 200;  // 100..599
  uint32_t end = 201;    // start+1..600
  bool operator==(const StatusRange&) const = default;
};

struct HttpHealthCheck {
  std::string path;  // origin-form, starts with "/"
  std::string host;  // the Host header; empty: the cluster's name
  std::vector<StatusRange> expected_statuses = {StatusRange{}};  // 200 only

  bool expects(int status) const;
  bool operator==(const HttpHealthCheck&) const = default;
};

struct TcpHealthCheck {
  std::string send;                  // bytes written once connected; empty: none
  std::vector<std::string> receive;  // blocks to find in the reply, in order; empty: none
  bool operator==(const TcpHealthCheck&) const = default;
};

struct HealthCheck {
  uint32_t timeout_ms = 1000;   // > 0
  uint32_t interval_ms = 5000;  // > 0
  uint32_t interval_jitter_ms = 0;
  uint32_t unhealthy_threshold = 3;  // >= 1
  uint32_t healthy_threshold = 2;    // >= 1
  // Exactly one is set.
  std::optional<HttpHealthCheck> http;
  std::optional<TcpHealthCheck> tcp;
  bool operator==(const HealthCheck&) const = default;
};

// Reads a cluster's `health_checks:` list (`field` is its value) into `out`: an empty list leaves
// it empty, a list of one entry fills it, more entries are refused. Problems are recorded in
// `errors` with their line and field path, e.g.
//   proxy.yaml:21: clusters[0].health_checks[0].http_health_check.path: must start with "/"
// and `out` is then not to be used (the whole document is rejected).
void readHealthChecks(const Field& field, FieldErrors& errors, std::optional<HealthCheck>& out);

}  // namespace weft::config
