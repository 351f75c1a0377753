// Tests of the bootstrap loader (core/config/bootstrap.h), its field readers and yamlToJson:
// a full config read back field by field, then one test per kind of error with its exact text.
#include "core/config/bootstrap.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/common/json.h"
#include "core/config/default_bootstrap.h"
#include "core/config/yaml_fields.h"
#include "core/config/yaml_to_json.h"

namespace weft::config {
namespace {

// Raw strings start on the line after R"( for readability; drop that first newline so that the
// first line of the YAML is line 1.
std::string yaml(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return std::string(text);
}

Result<Bootstrap> parse(std::string_view text) { return parseBootstrap(yaml(text), "t.yaml"); }

// The error message of `result`, or "OK".
std::string why(const Result<Bootstrap>& result) {
  return result ? "OK" : result.status().message();
}

// The error message for `text`, or "OK" when it is accepted.
std::string errorOf(std::string_view text) { return why(parse(text)); }

// A valid document with one listener, route config and cluster, plus `extra` top-level text.
// Lines: 1-5 listeners, 6-13 route_configs, 14-17 clusters, `extra` from line 18.
std::string minimal(std::string_view extra = "") {
  return yaml(R"(
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 10000
    route_config: local
route_configs:
  - name: local
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            cluster: backend
clusters:
  - name: backend
    endpoints:
      - { address: 127.0.0.1, port: 8080 }
)") + std::string(extra);
}

std::string json(const std::string& text) {
  Result<std::string> out = yamlToJson(YAML::Load(text));
  return out ? *out : "error: " + out.status().message();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bootstrap)

BOOST_AUTO_TEST_CASE(full_config_reads_back_every_field) {
  Result<Bootstrap> result = parse(R"(
workers: 3
drain_timeout: 2s
admin: { address: "::1", port: 0 }
access_log:
  path: /dev/stdout
  json: { method: '%REQ(:METHOD)%', code: '%RESPONSE_CODE%' }
listeners:
  - name: ingress
    address: 0:0::1
    port: 10000
    protocol: http
    route_config: local
    filters:
      - name: hello
        plugin: /opt/hello.so
        fail_open: true
        config: { greeting: hi, count: 3, nested: [1, "2", true] }
      - name: route-here
        builtin: router
    limits:
      max_connections: 5
      max_request_line_bytes: 100
      max_header_bytes: 200
      max_headers: 7
      header_timeout: 250ms
      idle_timeout: 1m
      request_timeout: 1h
      max_requests_per_connection: 9
      max_buffered_body_bytes: 1000
      buffer_high_watermark: 2000
  - name: raw
    address: 10.0.0.1
    port: 10001
    protocol: tcp
    cluster: backend
route_configs:
  - name: local
    virtual_hosts:
      - name: all
        domains: ["*", "*.example.com", "api.*", example.org]
        routes:
          - match: { path: /exact }
            cluster: backend
          - match: { prefix: / }
            cluster: other
clusters:
  - name: backend
    connect_timeout: 5s
    lb_policy: round_robin
    endpoints:
      - { address: 127.0.0.1, port: 8080 }
      - { address: "2001:db8::1", port: 8081 }
    max_connections: 11
    max_pending_requests: 12
    idle_timeout: 30s
    max_requests_per_connection: 13
  - name: other
    endpoints: [ { address: 127.0.0.2, port: 1 } ]
)");
  BOOST_REQUIRE_MESSAGE(result.isOk(), why(result));
  const Bootstrap& b = *result;
  BOOST_TEST(b.source_path == "t.yaml");
  BOOST_TEST(b.workers == 3u);
  BOOST_TEST(b.drain_timeout_ms == 2000u);
  BOOST_TEST(b.admin.address == "::1");
  BOOST_TEST(b.admin.port == 0);
  BOOST_REQUIRE(b.access_log.has_value());
  BOOST_TEST(b.access_log->path == "/dev/stdout");
  BOOST_TEST(b.access_log->format.empty());
  BOOST_REQUIRE_EQUAL(b.access_log->json.size(), 2u);
  BOOST_TEST(b.access_log->json[0].first == "method");
  BOOST_TEST(b.access_log->json[0].second == "%REQ(:METHOD)%");
  BOOST_TEST(b.access_log->json[1].first == "code");
  BOOST_TEST(b.access_log->json[1].second == "%RESPONSE_CODE%");

  BOOST_REQUIRE_EQUAL(b.listeners.size(), 2u);
  const Listener& http = b.listeners[0];
  BOOST_TEST(http.name == "ingress");
  BOOST_TEST(http.address.address == "::1");  // canonical form of 0:0::1
  BOOST_TEST(http.address.port == 10000);
  BOOST_TEST((http.protocol == ListenerProtocol::kHttp));
  BOOST_TEST(http.route_config == "local");
  BOOST_TEST(http.cluster.empty());
  BOOST_REQUIRE_EQUAL(http.filters.size(), 2u);
  BOOST_TEST(http.filters[0].name == "hello");
  BOOST_TEST(http.filters[0].plugin == "/opt/hello.so");
  BOOST_TEST(http.filters[0].builtin.empty());
  BOOST_TEST(http.filters[0].fail_open);
  BOOST_TEST(http.filters[0].config_json == R"({"greeting":"hi","count":3,"nested":[1,"2",true]})");
  BOOST_TEST(http.filters[0].location == "t.yaml:14");
  BOOST_TEST(http.filters[1].name == "route-here");
  BOOST_TEST(http.filters[1].plugin.empty());
  BOOST_TEST(http.filters[1].builtin == "router");
  BOOST_TEST(!http.filters[1].fail_open);
  BOOST_TEST(http.filters[1].config_json == "{}");
  BOOST_TEST(http.filters[1].location == "t.yaml:18");
  const ListenerLimits& l = http.limits;
  BOOST_TEST(l.max_connections == 5u);
  BOOST_TEST(l.max_request_line_bytes == 100u);
  BOOST_TEST(l.max_header_bytes == 200u);
  BOOST_TEST(l.max_headers == 7u);
  BOOST_TEST(l.header_timeout_ms == 250u);
  BOOST_TEST(l.idle_timeout_ms == 60000u);
  BOOST_TEST(l.request_timeout_ms == 3600000u);
  BOOST_TEST(l.max_requests_per_connection == 9u);
  BOOST_TEST(l.max_buffered_body_bytes == 1000u);
  BOOST_TEST(l.buffer_high_watermark == 2000u);

  const Listener& tcp = b.listeners[1];
  BOOST_TEST(tcp.name == "raw");
  BOOST_TEST(tcp.address.address == "10.0.0.1");
  BOOST_TEST(tcp.address.port == 10001);
  BOOST_TEST((tcp.protocol == ListenerProtocol::kTcp));
  BOOST_TEST(tcp.cluster == "backend");
  BOOST_TEST(tcp.route_config.empty());
  BOOST_TEST(tcp.filters.empty());
  BOOST_TEST(tcp.limits.max_connections == ListenerLimits{}.max_connections);

  BOOST_REQUIRE_EQUAL(b.route_configs.size(), 1u);
  BOOST_TEST(b.route_configs[0].name == "local");
  BOOST_TEST(b.route_configs[0].json ==
             R"({"name":"local","virtual_hosts":[{"name":"all","domains":["*","*.example.com",)"
             R"("api.*","example.org"],"routes":[{"match":{"path":"/exact"},"cluster":"backend"},)"
             R"({"match":{"prefix":"/"},"cluster":"other"}]}]})");

  BOOST_REQUIRE_EQUAL(b.clusters.size(), 2u);
  const Cluster& c = b.clusters[0];
  BOOST_TEST(c.name == "backend");
  BOOST_TEST(c.connect_timeout_ms == 5000u);
  BOOST_TEST((c.lb.policy == upstream::LbPolicy::kRoundRobin));
  BOOST_REQUIRE_EQUAL(c.endpoints.size(), 2u);
  BOOST_TEST(c.endpoints[0].address.address == "127.0.0.1");
  BOOST_TEST(c.endpoints[0].address.port == 8080);
  BOOST_TEST(c.endpoints[1].address.address == "2001:db8::1");
  BOOST_TEST(c.endpoints[1].address.port == 8081);
  BOOST_TEST(c.max_connections == 11u);
  BOOST_TEST(c.max_pending_requests == 12u);
  BOOST_TEST(c.idle_timeout_ms == 30000u);
  BOOST_TEST(c.max_requests_per_connection == 13u);
  BOOST_TEST(b.findCluster("other") == &b.clusters[1]);
  BOOST_TEST(b.findCluster("backend") == &b.clusters[0]);
  BOOST_TEST(b.findCluster("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(defaults_apply_when_fields_are_absent) {
  Result<Bootstrap> result = parseBootstrap(minimal(), "t.yaml");
  BOOST_REQUIRE_MESSAGE(result.isOk(), why(result));
  const Bootstrap& b = *result;
  const Bootstrap defaults;
  BOOST_TEST(b.workers == 0u);
  BOOST_TEST(b.drain_timeout_ms == 10000u);
  BOOST_TEST(b.admin.address == "127.0.0.1");
  BOOST_TEST(b.admin.port == 9901);
  BOOST_TEST(!b.access_log.has_value());
  const Listener& listener = b.listeners.at(0);
  BOOST_TEST((listener.protocol == ListenerProtocol::kHttp));
  BOOST_TEST(listener.filters.empty());
  const ListenerLimits l;
  BOOST_TEST(listener.limits.max_connections == l.max_connections);
  BOOST_TEST(listener.limits.max_header_bytes == l.max_header_bytes);
  BOOST_TEST(listener.limits.header_timeout_ms == l.header_timeout_ms);
  BOOST_TEST(listener.limits.idle_timeout_ms == l.idle_timeout_ms);
  BOOST_TEST(listener.limits.request_timeout_ms == 0u);
  BOOST_TEST(listener.limits.buffer_high_watermark == l.buffer_high_watermark);
  const Cluster& c = b.clusters.at(0);
  BOOST_TEST(c.connect_timeout_ms == 1000u);
  BOOST_TEST((c.lb.policy == upstream::LbPolicy::kRoundRobin));
  BOOST_TEST(c.max_connections == 1024u);
  BOOST_TEST(c.max_pending_requests == 1024u);
  BOOST_TEST(c.idle_timeout_ms == 60000u);
  BOOST_TEST(c.max_requests_per_connection == 0u);
  BOOST_TEST(c.endpoints.at(0).labels.empty());
  BOOST_TEST(c.subsets.empty());
  BOOST_TEST(b.clusters.size() == 1u);  // no subsets, no clusters of theirs
  BOOST_TEST(b.node.id.empty());
  BOOST_TEST(b.node.cluster.empty());
  BOOST_TEST(b.node.labels.empty());
}

BOOST_AUTO_TEST_CASE(admin_address_alone_keeps_default_port_and_text_access_log) {
  Result<Bootstrap> result = parseBootstrap(minimal(R"(admin: { address: 0.0.0.0 }
access_log: { path: /tmp/x.log, format: '%RESPONSE_CODE%' }
)"),
                                            "t.yaml");
  BOOST_REQUIRE_MESSAGE(result.isOk(), why(result));
  BOOST_TEST(result->admin.address == "0.0.0.0");
  BOOST_TEST(result->admin.port == 9901);
  BOOST_TEST(result->access_log->format == "%RESPONSE_CODE%");
  BOOST_TEST(result->access_log->json.empty());
}

BOOST_AUTO_TEST_CASE(sections_may_come_in_any_order) {
  BOOST_TEST(errorOf(R"(
clusters: [ { name: b, endpoints: [ { address: 127.0.0.1, port: 1 } ] } ]
listeners: [ { name: t, address: 127.0.0.1, port: 2, protocol: tcp, cluster: b } ]
)") == "OK");
}

BOOST_AUTO_TEST_CASE(yaml_syntax_error_names_line_and_yaml_cpp_message) {
  BOOST_TEST(errorOf("workers: 1\nlisteners: [ { name: a\n") ==
             "t.yaml:3: end of map flow not found");
  BOOST_TEST(errorOf("a: b: c\n") == "t.yaml:1: illegal map value");
}

BOOST_AUTO_TEST_CASE(empty_or_non_map_document_is_rejected) {
  const std::string empty =
      "t.yaml:1: the file is empty; expected a map with listeners, route_configs, clusters and "
      "other top-level fields";
  BOOST_TEST(errorOf("") == empty);
  BOOST_TEST(errorOf("# only a comment\n") == empty);
  BOOST_TEST(errorOf("\n- a\n- b\n") ==
             "t.yaml:1: the top level must be a map of fields, got a list");
  BOOST_TEST(errorOf("hello\n") ==
             "t.yaml:1: the top level must be a map of fields, got \"hello\"");
}

BOOST_AUTO_TEST_CASE(second_document_is_rejected) {
  const std::string second =
      ": only one YAML document is allowed; another one (or stray text) starts here";
  BOOST_TEST(errorOf("workers: 1\n---\nworkers: 2\n") == "t.yaml:2" + second);
  // yaml-cpp 0.7 reads this as endless empty documents; it must not hang or eat memory.
  BOOST_TEST(errorOf("-\n,--\nwx: 1\n") == "t.yaml:2" + second);
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_named_with_the_allowed_ones) {
  BOOST_TEST(errorOf(R"(
listeners:
  - name: a
    address: 127.0.0.1
    port: 1
    protocl: http
)") == "t.yaml:5: listeners[0].protocl: unknown field (expected one of: name, address, port, "
       "protocol, route_config, cluster, filters, limits, tls, http2)");
  BOOST_TEST(errorOf("worker: 2\n") ==
             "t.yaml:1: worker: unknown field (expected one of: workers, drain_timeout, admin, "
             "access_log, node, listeners, route_configs, clusters)");
  BOOST_TEST(errorOf(minimal("admin: { adress: 127.0.0.1 }\n")) ==
             "t.yaml:18: admin.adress: unknown field (expected one of: address, port)");
  BOOST_TEST(errorOf(R"(
listeners:
  - name: a
    address: 127.0.0.1
    port: 1
    route_config: r
    limits: { max_conections: 3 }
)") == "t.yaml:6: listeners[0].limits.max_conections: unknown field (expected one of: "
       "max_connections, max_request_line_bytes, max_header_bytes, max_headers, header_timeout, "
       "idle_timeout, request_timeout, max_requests_per_connection, max_buffered_body_bytes, "
       "buffer_high_watermark)");
}

BOOST_AUTO_TEST_CASE(a_key_written_twice_is_rejected) {
  BOOST_TEST(errorOf("workers: 1\ndrain_timeout: 1s\nworkers: 2\n") ==
             "t.yaml:3: workers: set twice (first at line 1)");
  BOOST_TEST(errorOf("? [a]\n: 1\n") == "t.yaml:1: a key must be a plain name, got a list");
}

BOOST_AUTO_TEST_CASE(wrong_types_are_reported_with_the_value) {
  BOOST_TEST(errorOf(R"(
clusters:
  - name: backend
    endpoints:
      - { address: 127.0.0.1, port: 8080 }
      - address: 127.0.0.2
        port: http
)") == "t.yaml:6: clusters[0].endpoints[1].port: must be an integer 1..65535, got \"http\"");
  BOOST_TEST(errorOf("workers: [1]\n") ==
             "t.yaml:1: workers: must be an integer 0..256, got a list");
  BOOST_TEST(errorOf("workers: 257\n") ==
             "t.yaml:1: workers: must be an integer 0..256, got \"257\"");
  BOOST_TEST(errorOf("listeners: { name: a }\n") ==
             "t.yaml:1: listeners: must be a list, got a map");
  BOOST_TEST(errorOf("admin: 9901\n") == "t.yaml:1: admin: must be a map, got \"9901\"");
  BOOST_TEST(errorOf(minimal("access_log: { path: [a], format: x }\n")) ==
             "t.yaml:18: access_log.path: must be a string, got a list");
  BOOST_TEST(errorOf(minimal("access_log: { path: '', format: x }\n")) ==
             "t.yaml:18: access_log.path: must not be empty");
  BOOST_TEST(errorOf(R"(
listeners:
  - name:
    address: 127.0.0.1
)") == "t.yaml:2: listeners[0].name: must be a string, got null");
}

BOOST_AUTO_TEST_CASE(missing_required_fields_are_named) {
  BOOST_TEST(errorOf(R"(
listeners:
  - name: a
    address: 127.0.0.1
    route_config: r
)") == "t.yaml:2: listeners[0].port: missing required field");
  BOOST_TEST(errorOf("listeners:\n  - { address: 127.0.0.1, port: 1, route_config: r }\n") ==
             "t.yaml:2: listeners[0].name: missing required field");
  BOOST_TEST(errorOf("clusters:\n  - name: c\n") ==
             "t.yaml:2: clusters[0].endpoints: missing required field");
  BOOST_TEST(errorOf("clusters:\n  - name: c\n    endpoints: []\n") ==
             "t.yaml:3: clusters[0].endpoints: must not be empty");
  BOOST_TEST(errorOf("clusters:\n  - name: c\n    endpoints: [ { address: 127.0.0.1 } ]\n") ==
             "t.yaml:3: clusters[0].endpoints[0].port: missing required field");
  BOOST_TEST(errorOf("route_configs:\n  - virtual_hosts: []\n") ==
             "t.yaml:2: route_configs[0].name: missing required field");
  BOOST_TEST(errorOf(minimal("access_log: { format: x }\n")) ==
             "t.yaml:18: access_log.path: missing required field");
}

BOOST_AUTO_TEST_CASE(filter_needs_a_name_and_exactly_one_source) {
  const std::string head = yaml(R"(
listeners:
  - name: a
    address: 127.0.0.1
    port: 1
    route_config: r
    filters:
)");
  BOOST_TEST(errorOf(head + "      - { plugin: /x.so }\n") ==
             "t.yaml:7: listeners[0].filters[0].name: missing required field");
  BOOST_TEST(errorOf(head + "      - { name: f }\n") ==
             "t.yaml:7: listeners[0].filters[0]: needs exactly one of plugin: (path of a .so) or "
             "builtin: (a filter name)");
  BOOST_TEST(errorOf(head + "      - { name: f, plugin: /x.so, builtin: router }\n") ==
             "t.yaml:7: listeners[0].filters[0]: set both plugin: and builtin:; choose one");
  BOOST_TEST(errorOf(head + "      - { name: f, builtin: router, fail_open: yes }\n") ==
             "t.yaml:7: listeners[0].filters[0].fail_open: must be true or false, got \"yes\"");
}

BOOST_AUTO_TEST_CASE(filter_config_is_any_yaml_stored_as_json) {
  Result<Bootstrap> result = parse(R"(
listeners:
  - name: a
    address: 127.0.0.1
    port: 1
    route_config: local
    filters:
      - name: list
        builtin: x
        config: [1, two]
      - name: scalar
        builtin: x
        config: '42'
      - name: null-config
        builtin: x
        config:
route_configs:
  - name: local
    virtual_hosts: [ { name: v, domains: [a], routes: [] } ]
)");
  BOOST_REQUIRE_MESSAGE(result.isOk(), why(result));
  const std::vector<FilterConfig>& filters = result->listeners.at(0).filters;
  BOOST_REQUIRE_EQUAL(filters.size(), 3u);
  BOOST_TEST(filters[0].config_json == R"([1,"two"])");
  BOOST_TEST(filters[1].config_json == R"("42")");
  BOOST_TEST(filters[2].config_json == "{}");
  BOOST_TEST(filters[2].location == "t.yaml:13");
}

BOOST_AUTO_TEST_CASE(duplicate_names_point_at_the_first_definition) {
  BOOST_TEST(errorOf(minimal(R"(
  - name: backend
    endpoints: [ { address: 127.0.0.1, port: 1 } ]
)")
                         .replace(minimal().size(), 1, "")) ==
             "t.yaml:18: clusters[1].name: duplicate cluster \"backend\" "
             "(first at t.yaml:15)");
  BOOST_TEST(errorOf(R"(
listeners:
  - { name: a, address: 127.0.0.1, port: 1, protocol: tcp, cluster: c }
  - { name: a, address: 127.0.0.1, port: 2, protocol: tcp, cluster: c }
)") == "t.yaml:3: listeners[1].name: duplicate listener \"a\" (first at t.yaml:2)");
  BOOST_TEST(errorOf(R"(
route_configs:
  - { name: r, virtual_hosts: [ { name: v, domains: [a], routes: [] } ] }
  - { name: r, virtual_hosts: [ { name: v, domains: [a], routes: [] } ] }
)") == "t.yaml:3: route_configs[1].name: duplicate route config \"r\" (first at t.yaml:2)");
  BOOST_TEST(errorOf(R"(
route_configs:
  - name: r
    virtual_hosts:
      - { name: v, domains: [a, b], routes: [] }
      - { name: w, domains: [c, b], routes: [] }
)") == "t.yaml:5: route_configs[0].virtual_hosts[1].domains[1]: duplicate domain \"b\" "
       "(first at t.yaml:4)");
}

BOOST_AUTO_TEST_CASE(two_listeners_on_one_address_and_port_are_rejected) {
  BOOST_TEST(errorOf(R"(
listeners:
  - { name: a, address: "::1", port: 80, protocol: tcp, cluster: c }
  - { name: b, address: "0:0:0::1", port: 80, protocol: tcp, cluster: c }
)") == "t.yaml:3: listeners[1].port: [::1]:80 is already used by listener \"a\"");
}

BOOST_AUTO_TEST_CASE(addresses_must_be_numeric_and_ports_in_range) {
  BOOST_TEST(errorOf("listeners:\n  - { name: a, address: localhost, port: 1 }\n") ==
             "t.yaml:2: listeners[0].address: must be a numeric IPv4 or IPv6 address, got "
             "\"localhost\"");
  BOOST_TEST(
      errorOf("clusters:\n  - { name: c, endpoints: [ { address: 127.0.0.1, port: 0 } ] }\n") ==
      "t.yaml:2: clusters[0].endpoints[0].port: must be an integer 1..65535, got \"0\"");
  BOOST_TEST(errorOf("listeners:\n  - { name: a, address: 127.0.0.1, port: 65536 }\n") ==
             "t.yaml:2: listeners[0].port: must be an integer 0..65535, got \"65536\"");
  BOOST_TEST(errorOf("admin: { port: -1 }\n") ==
             "t.yaml:1: admin.port: must be an integer 0..65535, got \"-1\"");
  BOOST_TEST(errorOf("admin: { address: 127.1 }\n") ==
             "t.yaml:1: admin.address: must be a numeric IPv4 or IPv6 address, got \"127.1\"");
}

BOOST_AUTO_TEST_CASE(listener_protocol_rules) {
  const std::string head = "listeners:\n  - { name: a, address: 127.0.0.1, port: 1, ";
  BOOST_TEST(errorOf(head + "protocol: udp }\n") ==
             "t.yaml:2: listeners[0].protocol: must be http or tcp, got \"udp\"");
  BOOST_TEST(errorOf(head + "protocol: http }\n") ==
             "t.yaml:2: listeners[0].route_config: missing required field (an http listener needs "
             "one)");
  BOOST_TEST(errorOf(head + "route_config: r, cluster: c }\n") ==
             "t.yaml:2: listeners[0].cluster: only tcp listeners name a cluster; http listeners "
             "route with route_config");
  BOOST_TEST(errorOf(head + "route_config: nope }\n") ==
             "t.yaml:2: listeners[0].route_config: unknown route config \"nope\"");
  BOOST_TEST(errorOf(head + "protocol: tcp }\n") ==
             "t.yaml:2: listeners[0].cluster: missing required field (a tcp listener needs one)");
  BOOST_TEST(errorOf(head + "protocol: tcp, cluster: nope }\n") ==
             "t.yaml:2: listeners[0].cluster: unknown cluster \"nope\"");
  BOOST_TEST(errorOf(head + "protocol: tcp, cluster: c, filters: [] }\n") ==
             "t.yaml:2: listeners[0].filters: only http listeners take filters");
  BOOST_TEST(errorOf(head + "protocol: tcp, cluster: c, route_config: r }\n") ==
             "t.yaml:2: listeners[0].route_config: only http listeners take a route_config");
}

BOOST_AUTO_TEST_CASE(route_config_structure_is_checked) {
  const std::string head = "route_configs:\n  - name: r\n";
  BOOST_TEST(errorOf(head) == "t.yaml:2: route_configs[0].virtual_hosts: missing required field");
  BOOST_TEST(errorOf(head + "    virtual_hosts: []\n") ==
             "t.yaml:3: route_configs[0].virtual_hosts: must not be empty");
  const std::string vhost = head + "    virtual_hosts:\n      - name: v\n";
  BOOST_TEST(errorOf(vhost + "        routes: []\n") ==
             "t.yaml:4: route_configs[0].virtual_hosts[0].domains: missing required field");
  BOOST_TEST(errorOf(vhost + "        domains: []\n        routes: []\n") ==
             "t.yaml:5: route_configs[0].virtual_hosts[0].domains: must not be empty");
  BOOST_TEST(errorOf(vhost + "        domains: [{a: b}]\n        routes: []\n") ==
             "t.yaml:5: route_configs[0].virtual_hosts[0].domains[0]: must be a string, got a map");
  BOOST_TEST(errorOf(vhost + "        domains: [a*b]\n        routes: []\n") ==
             "t.yaml:5: route_configs[0].virtual_hosts[0].domains[0]: a wildcard domain is \"*\", "
             "\"*suffix\" or \"prefix*\" (one * at either end), got \"a*b\"");
  BOOST_TEST(errorOf(vhost + "        domains: [a]\n") ==
             "t.yaml:4: route_configs[0].virtual_hosts[0].routes: missing required field");
  const std::string routes = vhost + "        domains: [a]\n        routes:\n";
  const std::string path = "t.yaml:7: route_configs[0].virtual_hosts[0].routes[0]";
  BOOST_TEST(errorOf(routes + "          - { cluster: c }\n") ==
             path + ".match: missing required field");
  // Matches and actions are the router's to check (router_test, and the proxy names their line:
  // lifecycle_test); here, every cluster a route names must exist.
  BOOST_TEST(errorOf(routes + "          - { match: { path: /a }, cluster: nope }\n") ==
             path + ".cluster: unknown cluster \"nope\"");
  BOOST_TEST(
      errorOf(routes + "          - match: { path: /a }\n" +
              "            weighted_clusters: { clusters: [ { name: gone, weight: 1 } ] }\n") ==
      "t.yaml:8: route_configs[0].virtual_hosts[0].routes[0].weighted_clusters.clusters[0]"
      ".name: unknown cluster \"gone\"");
}

BOOST_AUTO_TEST_CASE(cluster_rules) {
  const std::string head =
      "clusters:\n  - name: c\n    endpoints: [ { address: 127.0.0.1, port: 1 } ]\n";
  BOOST_TEST(errorOf(head + "    connect_timeout: 0s\n") ==
             "t.yaml:4: clusters[0].connect_timeout: must be at least 1ms, got \"0s\"");
  BOOST_TEST(errorOf(head + "    max_connections: 0\n") ==
             "t.yaml:4: clusters[0].max_connections: must be a positive integer, got \"0\"");
  BOOST_TEST(errorOf(head + "    max_pending_requests: 0\n") ==
             "t.yaml:4: clusters[0].max_pending_requests: must be a positive integer, got \"0\"");
  BOOST_TEST(errorOf(head + "    max_requests_per_connection: 0\n") == "OK");
}

BOOST_AUTO_TEST_CASE(limits_are_typed) {
  const std::string head =
      "listeners:\n  - { name: a, address: 127.0.0.1, port: 1, route_config: r,\n      limits: ";
  BOOST_TEST(errorOf(head + "{ header_timeout: soon } }\n") ==
             "t.yaml:3: listeners[0].limits.header_timeout: must be a duration like 250ms, 2s, 1m "
             "or 1h (a bare number means milliseconds), got \"soon\"");
  BOOST_TEST(errorOf(head + "{ max_headers: -1 } }\n") ==
             "t.yaml:3: listeners[0].limits.max_headers: must be a positive integer, got \"-1\"");
  BOOST_TEST(errorOf(head + "{ max_connections: 99999999999 } }\n") ==
             "t.yaml:3: listeners[0].limits.max_connections: must be a positive integer, got "
             "\"99999999999\"");
  BOOST_TEST(errorOf(head + "{ idle_timeout: 0 } }\n") ==
             "t.yaml:3: listeners[0].limits.idle_timeout: must be at least 1ms, got \"0\"");
}

BOOST_AUTO_TEST_CASE(access_log_takes_at_most_one_format) {
  auto plain = parse(minimal("access_log: { path: /x }\n"));  // Envoy's default format
  BOOST_REQUIRE_MESSAGE(plain, why(plain));
  BOOST_TEST(plain->access_log->format.empty());
  BOOST_TEST(plain->access_log->json.empty());
  BOOST_TEST(errorOf(minimal("access_log: { path: /x, format: a, json: { a: b } }\n")) ==
             "t.yaml:18: access_log: set both format and json; choose one");
  BOOST_TEST(errorOf(minimal("access_log: { path: /x, json: {} }\n")) ==
             "t.yaml:18: access_log.json: must not be empty");
  BOOST_TEST(errorOf(minimal("access_log:\n  path: /x\n  json:\n    code: [1]\n")) ==
             "t.yaml:21: access_log.json.code: must be a string, got a list");
}

BOOST_AUTO_TEST_CASE(durations_and_workers_are_bounded) {
  BOOST_TEST(errorOf("drain_timeout: 24h\n") ==
             "t.yaml:1: drain_timeout: must be less than 24h, got \"24h\"");
  BOOST_TEST(errorOf("drain_timeout: -5s\n") ==
             "t.yaml:1: drain_timeout: must not be negative, got \"-5s\"");
  BOOST_TEST(errorOf("drain_timeout: 1.5s\n") ==
             "t.yaml:1: drain_timeout: must be a duration like 250ms, 2s, 1m or 1h (a bare number "
             "means milliseconds), got \"1.5s\"");
  BOOST_TEST(errorOf("workers: 256\ndrain_timeout: 0\n") == "OK");
}

BOOST_AUTO_TEST_CASE(aliases_cannot_blow_up_a_small_file) {
  // "Billion laughs": eight levels of sixteen aliases describe 16^8 scalars in ~1 KB of YAML.
  std::string text = yaml(R"(
listeners:
  - name: l
    address: 127.0.0.1
    port: 1
    route_config: r
    filters:
      - name: f
        builtin: x
        config:
          a0: &a0 [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x]
)");
  for (int level = 1; level < 8; ++level) {
    const std::string previous = "*a" + std::to_string(level - 1);
    text +=
        "          a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + previous;
    for (int k = 1; k < 16; ++k) text += ", " + previous;
    text += "]\n";
  }
  BOOST_TEST(errorOf(text) ==
             "t.yaml:9: listeners[0].filters[0].config: larger than 4194304 bytes as JSON");
}

BOOST_AUTO_TEST_CASE(load_reads_a_file_and_names_it) {
  char path[] = "/tmp/weft_bootstrap_test_XXXXXX";
  const int fd = mkstemp(path);
  BOOST_REQUIRE(fd >= 0);
  const std::string text = minimal("workers: nine\n");
  BOOST_REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  Result<Bootstrap> bad = loadBootstrap(path);
  BOOST_REQUIRE(!bad.isOk());
  BOOST_TEST(bad.status().message() ==
             std::string(path) + ":18: workers: must be an integer 0..256, got \"nine\"");
  std::ofstream(path, std::ios::trunc) << minimal();
  Result<Bootstrap> good = loadBootstrap(path);
  BOOST_REQUIRE_MESSAGE(good.isOk(), why(good));
  BOOST_TEST(good->source_path == path);
  unlink(path);
  Result<Bootstrap> missing = loadBootstrap(path);
  BOOST_REQUIRE(!missing.isOk());
  BOOST_TEST(missing.status().message() ==
             std::string(path) + ": cannot read the file: No such file or directory");
}

BOOST_AUTO_TEST_CASE(listener_http2_block) {
  std::string text = minimal();
  const std::string anchor = "    route_config: local\n";
  std::string with = text;
  with.insert(with.find(anchor) + anchor.size(),
              "    http2: { max_concurrent_streams: 7, initial_stream_window_size: 65535,\n"
              "             keepalive_interval: 30s, keepalive_timeout: 2s }\n");
  auto parsed = parse(with);
  BOOST_REQUIRE_MESSAGE(parsed, why(parsed));
  const auto& http2 = parsed->listeners[0].http2;
  BOOST_TEST(http2.max_concurrent_streams == 7u);
  BOOST_TEST(http2.initial_stream_window_size == 65535u);
  BOOST_TEST(http2.keepalive_interval_ms == 30000u);
  BOOST_TEST(http2.keepalive_timeout_ms == 2000u);
  BOOST_TEST(http2.max_premature_resets == 100u);  // untouched default

  std::string small = text;
  small.insert(small.find(anchor) + anchor.size(),
               "    http2: { initial_stream_window_size: 1000 }\n");
  BOOST_TEST(errorOf(small) ==
             "t.yaml:6: listeners[0].http2.initial_stream_window_size: must be an integer "
             "65535..2147483647, got \"1000\"");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(yaml_to_json)

BOOST_AUTO_TEST_CASE(nested_maps_and_lists_keep_document_order) {
  BOOST_TEST(json("b: {z: 1, a: [x, {c: d}]}\na: []\nc: {}\n") ==
             R"({"b":{"z":1,"a":["x",{"c":"d"}]},"a":[],"c":{}})");
}

BOOST_AUTO_TEST_CASE(plain_numbers_become_numbers_quoted_ones_strings) {
  BOOST_TEST(json("[0, -1, 3.25, -0.5e-3, 1E9, '7', \"8\", 007, 1., .5, +1, 0x1F, 1_000]") ==
             R"([0,-1,3.25,-0.5e-3,1E9,"7","8","007","1.",".5","+1","0x1F","1_000"])");
  BOOST_TEST(json("! 5") == R"("5")");  // a tagged scalar is not plain
}

BOOST_AUTO_TEST_CASE(booleans_and_nulls) {
  BOOST_TEST(json("[true, True, FALSE, 'true', yes, no, on, ~, null, 'null']") ==
             R"([true,true,false,"true","yes","no","on",null,null,"null"])");
  BOOST_TEST(json("a:\n~: 1\n") == R"({"a":null,"null":1})");
}

BOOST_AUTO_TEST_CASE(strings_are_escaped) {
  BOOST_TEST(
      json(R"(["say \"hi\"", 'back\slash', "tab\there", "nl\nx", "\x01\x1f\x7f", "\b\f\r"])") ==
      R"(["say \"hi\"","back\\slash","tab\there","nl\nx","\u0001\u001f\u007f","\b\f\r"])");
}

BOOST_AUTO_TEST_CASE(unicode_is_escaped_to_ascii) {
  BOOST_TEST(json("[\"caf\xc3\xa9\", \"\xe2\x82\xac\", \"\xf0\x9f\x98\x80\", \"\\u00e9\"]") ==
             R"(["caf\u00e9","\u20ac","\ud83d\ude00","\u00e9"])");
  std::string out;
  json::appendString(out, std::string("a\xff\xc3(\xed\xa0\x80z\0", 9));
  BOOST_TEST(out == R"("a\ufffd\ufffd(\ufffd\ufffd\ufffdz\u0000")");
}

BOOST_AUTO_TEST_CASE(unrepresentable_input_is_an_error) {
  BOOST_TEST(json("a: 1\nb: 2\na: 3\n") == "error: duplicate key \"a\" (line 3)");
  BOOST_TEST(json("? [a]\n: 1\n") ==
             "error: a map key must be a plain value, not a map or a list (line 1)");
  BOOST_TEST(json("a: &x [1, *x]\n") == "error: nested deeper than 64 levels");
  Result<std::string> small = yamlToJson(YAML::Load("[aaaa, bbbb]"), 8);
  BOOST_REQUIRE(!small.isOk());
  BOOST_TEST(small.status().message() == "larger than 8 bytes as JSON");
  BOOST_TEST(*yamlToJson(YAML::Load("[aaaa, bbb]"), 14) == R"(["aaaa","bbb"])");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(yaml_fields)

BOOST_AUTO_TEST_CASE(durations) {
  BOOST_TEST(*parseDurationMs("250ms") == 250u);
  BOOST_TEST(*parseDurationMs("2s") == 2000u);
  BOOST_TEST(*parseDurationMs("1m") == 60000u);
  BOOST_TEST(*parseDurationMs("1h") == 3600000u);
  BOOST_TEST(*parseDurationMs("1500") == 1500u);
  BOOST_TEST(*parseDurationMs("0") == 0u);
  BOOST_TEST(*parseDurationMs("86399999") == 86399999u);
  BOOST_TEST(!parseDurationMs("86400000").isOk());
  BOOST_TEST(!parseDurationMs("99999999999999999999999h").isOk());
  BOOST_TEST(parseDurationMs("24h").status().message() == "must be less than 24h");
  BOOST_TEST(parseDurationMs("-1").status().message() == "must not be negative");
  for (const char* bad : {"", "s", "1d", "1 s", "1S", "1.5s", "ms5", "1sms"}) {
    BOOST_TEST(!parseDurationMs(bad).isOk(), bad);
  }
}

BOOST_AUTO_TEST_CASE(first_error_is_kept) {
  FieldErrors errors("f.yaml");
  BOOST_TEST(errors.ok());
  BOOST_TEST(errors.status().isOk());
  YAML::Mark mark;
  mark.line = 4;
  errors.add(mark, "a.b", "first");
  mark.line = 1;
  errors.add(mark, "", "second");
  BOOST_TEST(!errors.ok());
  BOOST_TEST(errors.status().message() == "f.yaml:5: a.b: first");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::config

BOOST_AUTO_TEST_SUITE(embedded_default)

BOOST_AUTO_TEST_CASE(parses_into_a_sidecar_for_a_local_app) {
  auto bootstrap = weft::config::parseBootstrap(weft::config::kDefaultBootstrap,
                                                std::string(weft::config::kDefaultBootstrapName));
  BOOST_REQUIRE_MESSAGE(bootstrap.isOk(), (bootstrap.isOk() ? "" : bootstrap.status().message()));
  BOOST_REQUIRE(bootstrap->listeners.size() == 1u);
  BOOST_TEST(bootstrap->listeners[0].address.port == 10000);
  BOOST_TEST(bootstrap->admin.port == 9901);
  const auto* app = bootstrap->findCluster("local_app");
  BOOST_REQUIRE(app != nullptr);
  BOOST_TEST(app->endpoints[0].address.port == 8080);
}

BOOST_AUTO_TEST_SUITE_END()

// The `tls:` blocks of listeners and clusters.
namespace weft::config {
namespace {

// A temporary directory with empty files named as the tls blocks below name them: the loader
// only checks that they can be read. "DIR" in a YAML text stands for the directory.
class TlsFiles {
 public:
  TlsFiles() {
    char pattern[] = "/tmp/weft_bootstrap_tls_XXXXXX";
    BOOST_REQUIRE(mkdtemp(pattern) != nullptr);
    dir_ = pattern;
    for (const char* name : {"cert.pem", "key.pem", "ca.pem", "cert2.pem", "key2.pem"}) {
      std::ofstream(dir_ + "/" + name) << "";
    }
  }
  ~TlsFiles() {
    for (const char* name : {"cert.pem", "key.pem", "ca.pem", "cert2.pem", "key2.pem"}) {
      unlink((dir_ + "/" + name).c_str());
    }
    rmdir(dir_.c_str());
  }
  const std::string& dir() const { return dir_; }
  std::string in(std::string_view text) const {
    std::string out = yaml(text);
    for (size_t at = out.find("DIR"); at != std::string::npos; at = out.find("DIR", at)) {
      out.replace(at, 3, dir_);
    }
    return out;
  }

 private:
  std::string dir_;
};

// minimal() with `listener_tls` under the listener (from line 6) and no cluster TLS.
std::string listenerTls(const TlsFiles& files, std::string_view listener_tls) {
  return files.in(R"(
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 10000
    route_config: local
)") + files.in(listener_tls) +
         minimal().substr(minimal().find("route_configs:"));
}

// minimal() with `cluster_tls` under the cluster (from line 18).
std::string clusterTls(const TlsFiles& files, std::string_view cluster_tls) {
  return minimal() + files.in(cluster_tls);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bootstrap_tls)

BOOST_AUTO_TEST_CASE(tls_blocks_read_back_every_field) {
  TlsFiles files;
  Result<Bootstrap> result = parseBootstrap(files.in(R"(
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 10000
    route_config: local
    tls:
      certificates:
        - { certificate_chain: DIR/cert.pem, private_key: DIR/key.pem }
        - certificate_chain: DIR/cert2.pem
          private_key: DIR/key2.pem
      alpn: [http/1.1]
      client_ca: DIR/ca.pem
      require_client_certificate: true
      min_version: "1.3"
  - name: plain
    address: 127.0.0.1
    port: 10001
    route_config: local
    tls:
      certificates: [ { certificate_chain: DIR/cert.pem, private_key: DIR/key.pem } ]
route_configs:
  - name: local
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            cluster: backend
clusters:
  - name: backend
    endpoints: [ { address: 127.0.0.1, port: 8443 } ]
    tls:
      ca: DIR/ca.pem
      sni: reviews.default.svc.cluster.local
      alpn: [h2]
      certificate_chain: DIR/cert.pem
      private_key: DIR/key.pem
      verify_subject_alt_names: ["spiffe://cluster.local/ns/default/sa/reviews", reviews.local]
  - name: bare
    endpoints: [ { address: 127.0.0.1, port: 8080 } ]
)"),
                                            "t.yaml");
  BOOST_REQUIRE_MESSAGE(result.isOk(), why(result));
  const std::string& dir = files.dir();
  const ServerTls& server = *result->listeners[0].tls;
  BOOST_REQUIRE(server.certificates.size() == 2u);
  BOOST_TEST(server.certificates[0].certificate_chain == dir + "/cert.pem");
  BOOST_TEST(server.certificates[0].private_key == dir + "/key.pem");
  BOOST_TEST(server.certificates[1].certificate_chain == dir + "/cert2.pem");
  BOOST_TEST(server.certificates[1].private_key == dir + "/key2.pem");
  BOOST_TEST(server.alpn == std::vector<std::string>{"http/1.1"});
  BOOST_TEST(server.client_ca == dir + "/ca.pem");
  BOOST_TEST(server.require_client_certificate);
  BOOST_TEST((server.min_version == TlsVersion::kTls13));

  const ServerTls& defaults = *result->listeners[1].tls;
  BOOST_TEST(defaults.alpn == (std::vector<std::string>{"h2", "http/1.1"}));
  BOOST_TEST(defaults.client_ca.empty());
  BOOST_TEST(!defaults.require_client_certificate);
  BOOST_TEST((defaults.min_version == TlsVersion::kTls12));

  const ClientTls& client = *result->clusters[0].tls;
  BOOST_TEST(client.ca == dir + "/ca.pem");
  BOOST_TEST(client.sni == "reviews.default.svc.cluster.local");
  BOOST_TEST(client.alpn == std::vector<std::string>{"h2"});
  BOOST_TEST(client.certificate_chain == dir + "/cert.pem");
  BOOST_TEST(client.private_key == dir + "/key.pem");
  BOOST_TEST(
      client.verify_subject_alt_names ==
      (std::vector<std::string>{"spiffe://cluster.local/ns/default/sa/reviews", "reviews.local"}));
  BOOST_TEST(!result->clusters[1].tls.has_value());
  BOOST_TEST(!parse(minimal())->listeners[0].tls.has_value());
}

BOOST_AUTO_TEST_CASE(listener_tls_errors_name_line_and_field) {
  TlsFiles files;
  const std::string dir = files.dir();
  const auto error = [&](std::string_view block) {
    return why(parseBootstrap(listenerTls(files, block), "t.yaml"));
  };
  BOOST_TEST(error(R"(
    tls:
      certificates: [ { certificate_chain: DIR/cert.pem, private_key: DIR/nope.pem } ]
)") == "t.yaml:7: listeners[0].tls.certificates[0].private_key: cannot read \"" + dir +
                 "/nope.pem\": No such file or directory");
  BOOST_TEST(error(R"(
    tls:
      certificates:
        - certificate_chain: DIR/missing.pem
          private_key: DIR/key.pem
)") == "t.yaml:8: listeners[0].tls.certificates[0].certificate_chain: cannot read \"" + dir +
                 "/missing.pem\": No such file or directory");
  BOOST_TEST(error("    tls: { alpn: [h2] }\n") ==
             "t.yaml:6: listeners[0].tls.certificates: missing required field");
  BOOST_TEST(error("    tls: { certificates: [] }\n") ==
             "t.yaml:6: listeners[0].tls.certificates: must not be empty");
  BOOST_TEST(error("    tls: { certificates: [ { certificate_chain: DIR/cert.pem } ] }\n") ==
             "t.yaml:6: listeners[0].tls.certificates[0].private_key: missing required field");
  BOOST_TEST(error(R"(
    tls:
      certificates: [ { certificate_chain: DIR/cert.pem, private_key: DIR/key.pem } ]
      require_client_certificate: true
)") == "t.yaml:8: listeners[0].tls.require_client_certificate: needs client_ca, the CA client "
       "certificates are verified against");
  BOOST_TEST(error(R"(
    tls:
      certificates: [ { certificate_chain: DIR/cert.pem, private_key: DIR/key.pem } ]
      min_version: 1.1
)") == "t.yaml:8: listeners[0].tls.min_version: must be \"1.2\" or \"1.3\", got \"1.1\"");
  BOOST_TEST(error(R"(
    tls:
      certificates: [ { certificate_chain: DIR/cert.pem, private_key: DIR/key.pem } ]
      alpn: [h2, ""]
)") == "t.yaml:8: listeners[0].tls.alpn[1]: must not be empty");
  BOOST_TEST(error(R"(
    tls:
      certificates: [ { certificate_chain: DIR/cert.pem, private_key: DIR/key.pem } ]
      ciphers: all
)") == "t.yaml:8: listeners[0].tls.ciphers: unknown field (expected one of: certificates, "
       "alpn, client_ca, require_client_certificate, min_version)");
}

BOOST_AUTO_TEST_CASE(cluster_tls_errors_name_line_and_field) {
  TlsFiles files;
  const auto error = [&](std::string_view block) {
    return why(parseBootstrap(clusterTls(files, block), "t.yaml"));
  };
  BOOST_TEST(error("    tls: { ca: DIR/ca.pem, sni: x.local, alpn: [h2] }\n") == "OK");
  BOOST_TEST(error("    tls: { certificate_chain: DIR/cert.pem }\n") ==
             "t.yaml:18: clusters[0].tls.certificate_chain: certificate_chain and private_key go "
             "together (mutual TLS needs both)");
  BOOST_TEST(error("    tls: { verify_subject_alt_names: [spiffe://a/ns/b/sa/c] }\n") ==
             "t.yaml:18: clusters[0].tls.verify_subject_alt_names: needs ca: a name is only "
             "trusted on a certificate that was verified");
  BOOST_TEST(error("    tls: { ca: DIR/nope.pem }\n") ==
             "t.yaml:18: clusters[0].tls.ca: cannot read \"" + files.dir() +
                 "/nope.pem\": No such file or directory");
  BOOST_TEST(error("    tls: { alpn: [" + std::string(256, 'x') + "] }\n") ==
             "t.yaml:18: clusters[0].tls.alpn[0]: an ALPN protocol name is at most 255 bytes");
  BOOST_TEST(error("    tls: { ca: DIR/ca.pem, verify: true }\n") ==
             "t.yaml:18: clusters[0].tls.verify: unknown field (expected one of: ca, sni, alpn, "
             "certificate_chain, private_key, verify_subject_alt_names)");
  BOOST_TEST(error("    tls: yes\n") == "t.yaml:18: clusters[0].tls: must be a map, got \"yes\"");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::config
