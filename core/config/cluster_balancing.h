// How a cluster spreads and protects its traffic, as written in the bootstrap (Envoy's Cluster
// field names, so Envoy users and what pilot generates read the same), and its reader:
//
//   clusters:
//     - name: reviews
//       lb_policy: LEAST_REQUEST       # ROUND_ROBIN (default) | LEAST_REQUEST | RANDOM |
//                                      # RING_HASH | MAGLEV, any case
//       least_request_lb_config: { choice_count: 2 }
//       ring_hash_lb_config: { minimum_ring_size: 1024, maximum_ring_size: 8388608 }
//       maglev_lb_config: { table_size: 65537 }          # a prime
//       common_lb_config: { healthy_panic_threshold: { value: 50 } }   # percent; 0: no panic
//       hash_policy:                   # RING_HASH / MAGLEV keys (Istio DestinationRule
//         - header: { header_name: x-user }             # consistentHash; Envoy has it on the
//         - cookie: { name: sticky, ttl: 3600s, path: / }   # route): first that finds its
//         - connection_properties: { source_ip: true }      # input, unless none is `terminal`
//         - query_parameter: { name: user }
//           terminal: true
//       outlier_detection:             # passive health checking (absent: off)
//         consecutive_5xx: 5           # 0: off
//         consecutive_gateway_failure: 0   # 0: off
//         interval: 10s
//         base_ejection_time: 30s      # times the host's ejection count
//         max_ejection_time: 300s
//         max_ejection_percent: 10
//       circuit_breakers:              # per worker; beyond a limit: 503 with flag UO
//         thresholds: [ { max_connections: 1024, max_pending_requests: 1024,
//                         max_requests: 1024, max_retries: 3 } ]
//
// circuit_breakers' max_connections and max_pending_requests are the same limits as the cluster's
// flat fields of those names; giving both is an error. Problems are recorded in FieldErrors with
// file, line and field path, like every bootstrap reader.
#pragma once

#include "core/config/bootstrap.h"
#include "core/config/yaml_fields.h"

namespace weft::config {

// Reads the fields above from `cluster` into `out` (whose other fields are read elsewhere).
void readClusterBalancing(const FieldMap& cluster, FieldErrors& errors, Cluster& out);

}  // namespace weft::config
