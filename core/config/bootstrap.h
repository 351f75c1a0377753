// The bootstrap: the one YAML file weft-proxy runs from when no control plane feeds it.
// loadBootstrap() validates the whole file and either returns a complete Bootstrap or an error
// naming the file, line and field ("proxy.yaml:14: clusters[0].endpoints[1].port: must be
// 1..65535"). Nothing here touches sockets; the server turns a Bootstrap into a ConfigSnapshot.
//
// Format (all durations accept "250ms", "2s", "1m" or a bare number of milliseconds):
//
//   workers: 2                      # 0 or absent: one per core
//   drain_timeout: 10s              # SIGTERM: how long in-flight requests may take
//   admin: { address: 127.0.0.1, port: 9901 }   # port 0: an ephemeral port, printed at start
//   access_log:                     # absent: off
//     path: /dev/stdout
//     format: '%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE%'   # absent: Envoy's default format
//     # or, one JSON object per line:  json: { method: '%REQ(:METHOD)%' }
//   node:                           # who this proxy is (Envoy's Node); absent: no labels
//     id: productpage-v1-7d9f       # optional
//     cluster: productpage          # optional
//     labels: { app: productpage, version: v1 }   # the workload's labels (labels.h): routes
//                                   # with match.source_labels match only when these hold them
//   listeners:
//     - name: ingress
//       address: 127.0.0.1
//       port: 10000                 # 0: an ephemeral port, printed at start
//       protocol: http              # http | tcp
//       route_config: local         # http: which entry of route_configs
//       cluster: backend            # tcp: where the bytes go
//       filters:                    # http: run in order, the router always last
//         - name: hello
//           plugin: /path/to/hello.so
//           fail_open: false
//           config: { greeting: hi }   # any YAML; handed to the filter as JSON text
//       limits: { max_connections: 10000, header_timeout: 10s, idle_timeout: 300s, ... }
//                                   # the fields of ListenerLimits; *_timeout keys are durations
//       tls:                        # absent: plaintext only (ServerTls)
//         certificates:             # one or more; SNI picks by DNS SAN, else the first
//           - { certificate_chain: /etc/weft/cert.pem, private_key: /etc/weft/key.pem }
//         alpn: [h2, http/1.1]      # the default, in order of preference; [] for none
//         client_ca: /etc/weft/ca.pem           # absent: client certificates are not asked for
//         require_client_certificate: false     # true needs client_ca
//         min_version: "1.2"        # "1.2" | "1.3"
//       http2:                      # HTTP/2 (h2c prior knowledge, or h2 by ALPN); the defaults:
//         max_concurrent_streams: 100        # more are refused (REFUSED_STREAM)
//         initial_stream_window_size: 1048576
//         initial_connection_window_size: 16777216
//         max_premature_resets: 100  # rapid-reset defence: GOAWAY past this (see http2_options.h)
//         keepalive_interval: 0      # PING after this long without a frame; 0: off
//         keepalive_timeout: 20s     # close when a PING is not answered in time
//   route_configs:                  # Envoy's RouteConfiguration names; the router parses these
//     - name: local                 # (filters/router/route_table.h and the headers it names)
//       request_headers_to_add: [ { header: { key: x-a, value: "1" } } ]   # also at vhost
//       response_headers_to_remove: [ server ]                             # and route level
//       virtual_hosts:
//         - name: all
//           domains: ["*"]          # exact, "*.suffix", "prefix.*" or "*"
//           cors: { allow_origin_string_match: [ { exact: "https://app.example" } ] }
//           routes:
//             - name: api           # default: "<virtual host>/<index>"
//               match:              # all given must hold; the first matching route wins
//                 prefix: /api      # or path: /exact, or safe_regex: { regex: "/v[0-9]+/.*" }
//                 case_sensitive: false
//                 headers: [ { name: ":method", exact_match: GET }, { name: x-canary } ]
//                 query_parameters: [ { name: debug, present_match: true } ]
//                 port: 10000       # the listener's port
//                 source_labels: { app: productpage }   # the node's labels hold these
//               cluster: backend    # or weighted_clusters: { clusters: [ {name, weight} ] },
//                                   # redirect: {...}, direct_response: { status, body }
//               prefix_rewrite: /   # or regex_rewrite; host_rewrite_literal: svc.internal
//               timeout: 15s        # timeout, retry_policy, request_mirror_policies: parsed by
//                                   # the router, applied by the upstream stage
//   clusters:
//     - name: backend
//       connect_timeout: 1s
//       endpoints: [ { address: 127.0.0.1, port: 8080, load_balancing_weight: 1,
//                      labels: { version: v1 } } ]             # labels: absent means none
//       subsets: [ { name: v1, labels: { version: v1 } } ]   # each also a cluster "backend/v1"
//                                   # with the endpoints it selects: cluster_subsets.h
//       lb_policy: ROUND_ROBIN      # and hash_policy, outlier_detection, circuit_breakers, ...:
//                                   # core/config/cluster_balancing.h
//       health_checks: [ { timeout: 1s, interval: 5s, unhealthy_threshold: 3,
//                          healthy_threshold: 2, http_health_check: { path: /healthz } } ]
//                                   # active checks: core/config/health_check_config.h
//       max_connections: 1024       # per worker
//       max_pending_requests: 1024  # per worker
//       idle_timeout: 60s           # idle pooled upstream connections are closed after this
//       max_requests_per_connection: 0   # 0: unlimited
//       tls:                        # absent: plaintext to the endpoints (ClientTls)
//         ca: /etc/weft/ca.pem      # absent: the upstream's certificate is NOT verified
//         sni: reviews.default.svc.cluster.local   # absent: none (endpoints are IP addresses)
//         alpn: [h2]                # absent: none offered
//         certificate_chain: /etc/weft/cert.pem    # with private_key: mutual TLS
//         private_key: /etc/weft/key.pem
//         verify_subject_alt_names: ["spiffe://cluster.local/ns/default/sa/reviews"]  # needs ca
//       protocol: http1             # http1 | http2 (h2c, or h2 by ALPN with tls): the upstream's
//
// Rules: every key is checked (a misspelt key is an error, naming the keys allowed there); names
// of listeners, route configs, clusters, virtual hosts (per route config) and domains (per route
// config) are unique; two listeners may not share an address and port; addresses are numeric
// (stored in canonical form, e.g. "::1"); ports are 1..65535 except admin's and listeners' (0:
// ephemeral); durations are below 24h; counts and limits are positive unless a comment below gives
// 0 a meaning; workers 0..256. Every route config and cluster that a listener or route names must
// be defined (a subset's cluster, "reviews/v1", counts); the sections may come in any order. A
// filter's `config:` is absent or null → "{}", else its JSON form (core/config/yaml_to_json.h). All
// JSON produced from one file is capped at 4 MiB, so YAML aliases cannot blow a small file up. A
// user filter with `builtin: router` places the router there; otherwise the server appends it.
// Every file a `tls:` block names must be readable when the bootstrap is loaded (its contents are
// checked when the TLS context is built).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/config/health_check_config.h"
#include "core/http/http2_options.h"
#include "core/upstream/hash_policy.h"
#include "core/upstream/host_subsets.h"
#include "core/upstream/load_balancer.h"
#include "core/upstream/outlier_detector.h"

namespace weft::config {

struct SocketAddress {
  std::string address;  // numeric IPv4 or IPv6, canonical form
  uint16_t port = 0;
};

// Every limit a listener enforces. Each has a safe default and a counter of hits.
struct ListenerLimits {
  uint32_t max_connections = 10000;          // open downstream connections on this listener
  uint32_t max_request_line_bytes = 8192;    // 414 beyond
  uint32_t max_header_bytes = 60 * 1024;     // 431 beyond
  uint32_t max_headers = 100;                // 431 beyond
  uint32_t header_timeout_ms = 10000;        // 408 if a head takes longer to arrive
  uint32_t idle_timeout_ms = 300000;         // keep-alive connection with no request (HTTP), or
                                             // no bytes either way (TCP)
  uint32_t request_timeout_ms = 0;           // whole request/response; 0 = none
  uint32_t max_requests_per_connection = 0;  // 0 = unlimited
  uint32_t max_buffered_body_bytes = 1024 * 1024;  // a filter that buffers a body gets 413 beyond
  uint32_t buffer_high_watermark = 1024 * 1024;    // per-direction bytes before reading pauses
};

struct FilterConfig {
  std::string name;
  std::string plugin;       // path of the .so; empty for a built-in filter
  std::string builtin;      // name of a built-in filter ("router"), when plugin is empty
  std::string config_json;  // the filter's config block, as JSON text ("{}" if absent)
  bool fail_open = false;   // a failing hook continues the stream instead of answering 500
  std::string location;     // "file:line" of the entry, for messages about it
};

enum class ListenerProtocol { kHttp, kTcp };

enum class TlsVersion { kTls12, kTls13 };

struct TlsCertificate {
  std::string certificate_chain;  // PEM, the leaf first
  std::string private_key;        // PEM, unencrypted
  bool operator==(const TlsCertificate&) const = default;
};

// A listener's `tls:` block: TLS termination for its connections.
struct ServerTls {
  std::vector<TlsCertificate> certificates;            // at least one; the first is the default
  std::vector<std::string> alpn = {"h2", "http/1.1"};  // in order of preference
  std::string client_ca;                               // empty: client certificates not asked for
  bool require_client_certificate = false;             // only with client_ca
  TlsVersion min_version = TlsVersion::kTls12;
  bool operator==(const ServerTls&) const = default;
};

// A cluster's `tls:` block: TLS origination toward its endpoints.
struct ClientTls {
  std::string ca;   // empty: the upstream's certificate is not verified
  std::string sni;  // empty: no SNI
  std::vector<std::string> alpn;
  std::string certificate_chain;  // with private_key, or neither
  std::string private_key;
  std::vector<std::string> verify_subject_alt_names;  // URI or DNS SANs accepted; needs ca
  bool operator==(const ClientTls&) const = default;
};

struct Listener {
  std::string name;
  SocketAddress address;
  ListenerProtocol protocol = ListenerProtocol::kHttp;
  std::string route_config;  // http
  std::string cluster;       // tcp
  std::vector<FilterConfig> filters;
  ListenerLimits limits;
  std::optional<ServerTls> tls;
  http::Http2Options http2;  // `http2:`; its header limits come from `limits`
};

struct RouteConfig {
  std::string name;
  std::string json;  // the whole entry as JSON text (name included): what the router filter parses
  std::string path;  // "route_configs[2]", its place in the file
  // Where each field of the entry is written: its path inside the entry
  // ("virtual_hosts[0].routes[1].match") and its 1-based line. The router names a bad field by
  // that path; the proxy turns it into file:line.
  std::vector<std::pair<std::string, uint32_t>> field_lines;

  // The line of `field_path`, or of its nearest written ancestor; 0 if unknown.
  uint32_t lineOf(std::string_view field_path) const;
};

struct Endpoint {
  SocketAddress address;
  uint32_t weight = 1;      // load_balancing_weight: relative share of traffic, >= 1
  upstream::Labels labels;  // what subsets select by
};

enum class UpstreamProtocol { kHttp1, kHttp2 };

struct Cluster {
  std::string name;
  uint32_t connect_timeout_ms = 1000;
  std::vector<Endpoint> endpoints;
  // The subsets as written (cluster_subsets.h). Each is also a Cluster of its own in
  // Bootstrap::clusters, named "<name>/<subset>"; a subset's cluster has none.
  std::vector<upstream::SubsetSpec> subsets;
  // Balancing, hashing, outlier detection (cluster_balancing.h).
  upstream::LbConfig lb;
  std::vector<upstream::HashPolicy> hash_policy;
  std::optional<upstream::OutlierConfig> outlier_detection;
  std::optional<HealthCheck> health_check;  // health_checks: core/config/health_check_config.h
  // Circuit breakers, per worker (cluster_balancing.h).
  uint32_t max_connections = 1024;
  uint32_t max_pending_requests = 1024;
  uint32_t max_requests = 1024;  // requests in flight to the cluster
  uint32_t max_retries = 3;      // retries in flight to the cluster
  uint32_t idle_timeout_ms = 60000;
  uint32_t max_requests_per_connection = 0;  // 0 = unlimited
  std::optional<ClientTls> tls;
  UpstreamProtocol protocol = UpstreamProtocol::kHttp1;
};

struct AccessLog {
  std::string path;
  std::string format;  // Envoy-style %...% text format (neither it nor json: Envoy's default), or
  std::vector<std::pair<std::string, std::string>> json;  // key -> %...% format (JSON lines)
};

// The `node:` block: the identity of this proxy and the workload it serves (Envoy's Node).
struct Node {
  std::string id;           // empty when not given
  std::string cluster;      // empty when not given
  upstream::Labels labels;  // the workload's labels; the router matches source_labels on them
};

struct Bootstrap {
  std::string source_path;
  uint32_t workers = 0;  // 0: one per core
  uint32_t drain_timeout_ms = 10000;
  SocketAddress admin{"127.0.0.1", 9901};  // port 0: bind an ephemeral port (the server prints it)
  std::optional<AccessLog> access_log;
  Node node;
  std::vector<Listener> listeners;
  std::vector<RouteConfig> route_configs;
  // The clusters as written, then the cluster of each subset (cluster_subsets.h).
  std::vector<Cluster> clusters;

  const Cluster* findCluster(std::string_view name) const;
};

// Reads and validates `path`. Errors read "<path>:<line>: <field path>: <what is wrong>".
Result<Bootstrap> loadBootstrap(const std::string& path);
// The same for text already in memory; `source_name` stands in for the path in messages.
Result<Bootstrap> parseBootstrap(std::string_view text, const std::string& source_name);

}  // namespace weft::config
