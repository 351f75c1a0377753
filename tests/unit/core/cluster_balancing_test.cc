// A cluster's balancing and resilience fields in the bootstrap (cluster_balancing.h): every field
// read into its place, Envoy's spellings accepted, and each kind of mistake named by line and
// field.
#include <boost/test/unit_test.hpp>
#include <string>

#include "core/config/bootstrap.h"

namespace weft::config {
namespace {

// One cluster (lines 1-3) followed by `fields` from line 4.
Result<Bootstrap> parseCluster(const std::string& fields) {
  return parseBootstrap(
      "clusters:\n  - name: c\n    endpoints: [ { address: 127.0.0.1, port: 1 } ]\n" + fields,
      "t.yaml");
}

std::string errorOf(const std::string& fields) {
  auto parsed = parseCluster(fields);
  return parsed ? "OK" : parsed.status().message();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cluster_balancing)

BOOST_AUTO_TEST_CASE(every_field_lands_in_its_place) {
  auto parsed = parseBootstrap(R"(clusters:
  - name: c
    endpoints:
      - { address: 127.0.0.1, port: 1, load_balancing_weight: 3 }
      - { address: 127.0.0.2, port: 1 }
    lb_policy: RING_HASH
    ring_hash_lb_config: { minimum_ring_size: 64, maximum_ring_size: 4096 }
    common_lb_config: { healthy_panic_threshold: { value: 0 } }
    hash_policy:
      - header: { header_name: X-User }
      - cookie: { name: sticky, ttl: 3600s, path: / }
      - connection_properties: { source_ip: true }
      - query_parameter: { name: u }
        terminal: true
    outlier_detection: { consecutive_5xx: 3, consecutive_gateway_failure: 2, interval: 1s,
                         base_ejection_time: 2s, max_ejection_time: 20s,
                         max_ejection_percent: 50 }
    circuit_breakers:
      thresholds: [ { priority: DEFAULT, max_connections: 7, max_pending_requests: 8,
                      max_requests: 9, max_retries: 0 } ]
)",
                               "t.yaml");
  BOOST_REQUIRE_MESSAGE(bool(parsed), (parsed ? std::string() : parsed.status().message()));
  const Cluster& c = parsed->clusters[0];
  BOOST_TEST(c.endpoints[0].weight == 3u);
  BOOST_TEST(c.endpoints[1].weight == 1u);
  BOOST_TEST((c.lb.policy == upstream::LbPolicy::kRingHash));
  BOOST_TEST(c.lb.minimum_ring_size == 64u);
  BOOST_TEST(c.lb.maximum_ring_size == 4096u);
  BOOST_TEST(c.lb.healthy_panic_threshold == 0u);
  using Source = upstream::HashPolicy::Source;
  BOOST_REQUIRE_EQUAL(c.hash_policy.size(), 4u);
  BOOST_TEST((c.hash_policy[0].source == Source::kHeader));
  BOOST_TEST(c.hash_policy[0].name == "x-user");
  BOOST_TEST((c.hash_policy[1].source == Source::kCookie));
  BOOST_TEST(c.hash_policy[1].cookie_ttl->count() == 3600);
  BOOST_TEST(c.hash_policy[1].cookie_path == "/");
  BOOST_TEST((c.hash_policy[2].source == Source::kSourceIp));
  BOOST_TEST((c.hash_policy[3].source == Source::kQueryParameter));
  BOOST_TEST(c.hash_policy[3].terminal);
  BOOST_REQUIRE(c.outlier_detection);
  BOOST_TEST(c.outlier_detection->consecutive_5xx == 3u);
  BOOST_TEST(c.outlier_detection->consecutive_gateway_errors == 2u);
  BOOST_TEST(c.outlier_detection->interval.count() == 1000);
  BOOST_TEST(c.outlier_detection->base_ejection_time.count() == 2000);
  BOOST_TEST(c.outlier_detection->max_ejection_time.count() == 20000);
  BOOST_TEST(c.outlier_detection->max_ejection_percent == 50u);
  BOOST_TEST(c.max_connections == 7u);
  BOOST_TEST(c.max_pending_requests == 8u);
  BOOST_TEST(c.max_requests == 9u);
  BOOST_TEST(c.max_retries == 0u);
}

BOOST_AUTO_TEST_CASE(defaults_without_the_fields) {
  auto parsed = parseCluster("");
  BOOST_REQUIRE(parsed.isOk());
  const Cluster& c = parsed->clusters[0];
  BOOST_TEST((c.lb.policy == upstream::LbPolicy::kRoundRobin));
  BOOST_TEST(c.lb.healthy_panic_threshold == 50u);
  BOOST_TEST(c.hash_policy.empty());
  BOOST_TEST(!c.outlier_detection);
  BOOST_TEST(c.max_requests == 1024u);
  BOOST_TEST(c.max_retries == 3u);
  BOOST_TEST(errorOf("    lb_policy: least_request\n") == "OK");  // any case
}

BOOST_AUTO_TEST_CASE(mistakes_are_named_by_line_and_field) {
  BOOST_TEST(errorOf("    lb_policy: FASTEST\n") ==
             "t.yaml:4: clusters[0].lb_policy: must be ROUND_ROBIN, LEAST_REQUEST, RANDOM, "
             "RING_HASH or MAGLEV, got \"FASTEST\"");
  BOOST_TEST(errorOf("    hash_policy: [ { header: { header_name: a }, query_parameter: "
                     "{ name: b } } ]\n") ==
             "t.yaml:4: clusters[0].hash_policy[0]: needs exactly one of header, cookie, "
             "connection_properties, query_parameter");
  BOOST_TEST(errorOf("    hash_policy: [ { connection_properties: { source_ip: false } } ]\n") ==
             "t.yaml:4: clusters[0].hash_policy[0].connection_properties.source_ip: must be true "
             "(the only connection property hashed)");
  BOOST_TEST(errorOf("    outlier_detection: { max_ejection_percent: 101 }\n") ==
             "t.yaml:4: clusters[0].outlier_detection.max_ejection_percent: must be an integer "
             "0..100, got \"101\"");
  BOOST_TEST(errorOf("    max_connections: 5\n    circuit_breakers: { thresholds: [ "
                     "{ max_connections: 6 } ] }\n") ==
             "t.yaml:5: clusters[0].circuit_breakers.thresholds[0].max_connections: also set as "
             "the cluster's own max_connections; give it once");
  BOOST_TEST(errorOf("    circuit_breakers: { thresholds: [ { priority: HIGH } ] }\n") ==
             "t.yaml:4: clusters[0].circuit_breakers.thresholds[0].priority: must be DEFAULT, "
             "got \"HIGH\"");
  BOOST_TEST(errorOf("    endpoints2: []\n").find("unknown field") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::config
