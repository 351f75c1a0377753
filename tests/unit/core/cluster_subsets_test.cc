// Tests of endpoint labels, cluster subsets (core/config/cluster_subsets.h, labels.h) and the
// bootstrap's `node:` block: each subset read back as a cluster of its own with its parent's
// settings and the endpoints it selects, routes naming it, and each mistake named by line and
// field.
#include "core/config/cluster_subsets.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "core/config/bootstrap.h"
#include "core/config/labels.h"

namespace weft::config {
namespace {

Result<Bootstrap> parse(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);  // line 1 follows R"(
  return parseBootstrap(text, "t.yaml");
}

std::string errorOf(std::string_view text) {
  Result<Bootstrap> result = parse(text);
  return result ? "OK" : result.status().message();
}

// A route to `cluster` (lines 1-9), then the cluster "reviews" with three labelled endpoints
// (lines 10-16), then `subsets` from line 17.
std::string reviews(std::string_view cluster, std::string_view subsets) {
  return R"(listeners:
  - { name: in, address: 127.0.0.1, port: 1, route_config: r }
route_configs:
  - name: r
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - { match: { prefix: / }, cluster: )" +
         std::string(cluster) + R"( }
clusters:
  - name: reviews
    endpoints:
      - { address: 10.0.0.1, port: 9080, labels: { version: v1 } }
      - { address: 10.0.0.2, port: 9080, labels: { version: v2 } }
      - { address: 10.0.0.3, port: 9080, labels: { version: v2, canary: "true" } }
    subsets:
)" + std::string(subsets);
}

std::vector<std::string> addressesOf(const Cluster& cluster) {
  std::vector<std::string> out;
  for (const Endpoint& endpoint : cluster.endpoints) out.push_back(endpoint.address.address);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cluster_subsets)

BOOST_AUTO_TEST_CASE(each_subset_is_a_cluster_with_its_parents_settings) {
  Result<Bootstrap> result = parse(R"(
listeners:
  - { name: in, address: 127.0.0.1, port: 1, route_config: r }
route_configs:
  - name: r
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: /split }
            weighted_clusters: { clusters: [ { name: reviews/v1, weight: 80 },
                                             { name: reviews/v2, weight: 20 } ] }
            request_mirror_policies: [ { cluster: reviews/canary } ]
          - { match: { prefix: / }, cluster: reviews/all }
clusters:
  - name: reviews
    connect_timeout: 2s
    endpoints:
      - { address: 10.0.0.1, port: 9080, load_balancing_weight: 3, labels: { version: v1 } }
      - { address: 10.0.0.2, port: 9080, labels: { version: v2, zone: a } }
      - { address: 10.0.0.3, port: 9080, labels: { version: v2, canary: "true", build: 7 } }
    subsets:
      - { name: v1, labels: { version: v1 } }
      - { name: v2, labels: { version: v2 } }
      - { name: canary, labels: { canary: "true", version: v2 } }
      - { name: all }
    lb_policy: LEAST_REQUEST
    outlier_detection: { consecutive_5xx: 3 }
    circuit_breakers: { thresholds: [ { max_requests: 9 } ] }
    health_checks: [ { timeout: 1s, interval: 5s, unhealthy_threshold: 3, healthy_threshold: 2,
                       http_health_check: { path: /healthz } } ]
    max_connections: 11
    protocol: http2
  - name: ratings
    endpoints: [ { address: 10.0.1.1, port: 9080 } ]
)");
  BOOST_REQUIRE_MESSAGE(result.isOk(), (result ? "" : result.status().message()));
  const Bootstrap& b = *result;
  // The clusters as written, then one per subset, in order.
  std::vector<std::string> names;
  for (const Cluster& cluster : b.clusters) names.push_back(cluster.name);
  BOOST_TEST(names == (std::vector<std::string>{"reviews", "ratings", "reviews/v1", "reviews/v2",
                                                "reviews/canary", "reviews/all"}),
             boost::test_tools::per_element());

  const Cluster& parent = *b.findCluster("reviews");
  BOOST_TEST(parent.endpoints.size() == 3u);  // the parent keeps every endpoint
  BOOST_TEST(parent.endpoints[0].labels == (upstream::Labels{{"version", "v1"}}));
  BOOST_TEST(parent.endpoints[2].labels ==
             (upstream::Labels{{"build", "7"}, {"canary", "true"}, {"version", "v2"}}));
  BOOST_REQUIRE(parent.subsets.size() == 4u);
  BOOST_TEST(parent.subsets[2].name == "canary");
  BOOST_TEST(parent.subsets[2].labels == (upstream::Labels{{"canary", "true"}, {"version", "v2"}}));
  BOOST_TEST(parent.subsets[3].labels.empty());

  const Cluster& v1 = *b.findCluster("reviews/v1");
  BOOST_TEST(addressesOf(v1) == std::vector<std::string>{"10.0.0.1"},
             boost::test_tools::per_element());
  BOOST_TEST(v1.endpoints[0].weight == 3u);
  BOOST_TEST(addressesOf(*b.findCluster("reviews/v2")) ==
                 (std::vector<std::string>{"10.0.0.2", "10.0.0.3"}),
             boost::test_tools::per_element());
  BOOST_TEST(addressesOf(*b.findCluster("reviews/canary")) == std::vector<std::string>{"10.0.0.3"},
             boost::test_tools::per_element());
  BOOST_TEST(addressesOf(*b.findCluster("reviews/all")) == addressesOf(parent),
             boost::test_tools::per_element());

  // Everything but the name, the endpoints and the subsets is the parent's.
  for (std::string_view name : {"reviews/v1", "reviews/v2", "reviews/canary", "reviews/all"}) {
    const Cluster& subset = *b.findCluster(name);
    BOOST_TEST(subset.subsets.empty(), name);
    BOOST_TEST(subset.connect_timeout_ms == 2000u, name);
    BOOST_TEST((subset.lb.policy == upstream::LbPolicy::kLeastRequest), name);
    BOOST_TEST(subset.outlier_detection.has_value(), name);
    BOOST_TEST(subset.outlier_detection->consecutive_5xx == 3u, name);
    BOOST_TEST(subset.max_requests == 9u, name);
    BOOST_TEST(subset.max_connections == 11u, name);
    BOOST_TEST((subset.health_check == parent.health_check), name);
    BOOST_TEST(subset.health_check.has_value(), name);
    BOOST_TEST((subset.protocol == UpstreamProtocol::kHttp2), name);
  }
}

BOOST_AUTO_TEST_CASE(a_route_may_name_only_subsets_that_exist) {
  BOOST_TEST(errorOf(reviews("reviews/v1", "      - { name: v1, labels: { version: v1 } }\n")) ==
             "OK");
  BOOST_TEST(errorOf(reviews("reviews/v2", "      - { name: v1, labels: { version: v1 } }\n")) ==
             "t.yaml:9: route_configs[0].virtual_hosts[0].routes[0].cluster: unknown cluster "
             "\"reviews/v2\"");
  // A TCP listener may send its bytes to a subset too.
  BOOST_TEST(errorOf(R"(
clusters:
  - name: c
    endpoints: [ { address: 127.0.0.1, port: 1, labels: { v: "1" } } ]
    subsets: [ { name: one, labels: { v: "1" } } ]
listeners: [ { name: t, address: 127.0.0.1, port: 2, protocol: tcp, cluster: c/one } ]
)") == "OK");
}

BOOST_AUTO_TEST_CASE(subset_mistakes_are_named_by_line_and_field) {
  BOOST_TEST(errorOf(reviews("reviews", R"(      - { name: v1, labels: { version: v1 } }
      - name: v3
        labels: { version: v3 }
)")) == "t.yaml:19: clusters[0].subsets[1].labels: subset \"v3\" selects no endpoint of "
        "cluster \"reviews\": none has the labels version=v3");
  BOOST_TEST(errorOf(reviews("reviews",
                             R"(      - { name: both, labels: { version: v1, canary: "true" } }
)")) == "t.yaml:17: clusters[0].subsets[0].labels: subset \"both\" selects no endpoint of "
        "cluster \"reviews\": none has the labels canary=true, version=v1");
  BOOST_TEST(errorOf(reviews("reviews", R"(      - { name: v1, labels: { version: v1 } }
      - { name: v1, labels: { version: v2 } }
)")) == "t.yaml:18: clusters[0].subsets[1].name: duplicate subset \"v1\" (first at t.yaml:17)");
  BOOST_TEST(errorOf(reviews("reviews", "      - { name: a/b, labels: { version: v1 } }\n")) ==
             "t.yaml:17: clusters[0].subsets[0].name: must not contain '/' (its cluster is "
             "named \"<cluster>/<subset>\"), got \"a/b\"");
  BOOST_TEST(errorOf(reviews("reviews", "      - { labels: { version: v1 } }\n")) ==
             "t.yaml:17: clusters[0].subsets[0].name: missing required field");
  BOOST_TEST(errorOf(reviews("reviews", "      - { name: v1, traffic_policy: {} }\n")) ==
             "t.yaml:17: clusters[0].subsets[0].traffic_policy: unknown field (expected one of: "
             "name, labels)");
  BOOST_TEST(errorOf(reviews("reviews", "      - { name: v1, labels: [version] }\n")) ==
             "t.yaml:17: clusters[0].subsets[0].labels: must be a map, got a list");
  BOOST_TEST(errorOf(reviews("reviews", "      v1: { version: v1 }\n")) ==
             "t.yaml:16: clusters[0].subsets: must be a list, got a map");
  // A generated name may not be one a cluster of the file already has, wherever it is written.
  BOOST_TEST(errorOf(reviews("reviews", R"(      - { name: v1, labels: { version: v1 } }
  - name: reviews/v1
    endpoints: [ { address: 10.0.1.1, port: 9080 } ]
)")) == "t.yaml:17: clusters[0].subsets[0].name: the subset's cluster \"reviews/v1\" clashes "
        "with the cluster of that name at t.yaml:18; rename one");
}

BOOST_AUTO_TEST_CASE(label_values_are_strings) {
  const std::string head =
      "clusters:\n  - name: c\n    endpoints:\n      - address: 127.0.0.1\n"
      "        port: 1\n";
  BOOST_TEST(errorOf(head + "        labels: { version: { major: 1 } }\n") ==
             "t.yaml:6: clusters[0].endpoints[0].labels.version: a label value must be a string, "
             "got a map");
  BOOST_TEST(errorOf(head + "        labels: v1\n") ==
             "t.yaml:6: clusters[0].endpoints[0].labels: must be a map, got \"v1\"");
  BOOST_TEST(errorOf(head + "        labels: { \"\": x }\n") ==
             "t.yaml:6: clusters[0].endpoints[0].labels: a label name must not be empty");
  Result<Bootstrap> typed = parse(head + "        labels: { n: 1, on: true, empty: \"\" }\n");
  BOOST_REQUIRE(typed.isOk());
  BOOST_TEST(typed->clusters[0].endpoints[0].labels ==
             (upstream::Labels{{"empty", ""}, {"n", "1"}, {"on", "true"}}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(node_block)

BOOST_AUTO_TEST_CASE(node_reads_back_and_each_field_is_optional) {
  Result<Bootstrap> result = parse(R"(
node:
  id: productpage-v1-7d9f
  cluster: productpage
  labels: { app: productpage, version: v1 }
)");
  BOOST_REQUIRE_MESSAGE(result.isOk(), (result ? "" : result.status().message()));
  BOOST_TEST(result->node.id == "productpage-v1-7d9f");
  BOOST_TEST(result->node.cluster == "productpage");
  BOOST_TEST(result->node.labels == (upstream::Labels{{"app", "productpage"}, {"version", "v1"}}));
  Result<Bootstrap> labels_only = parse("node: { labels: { app: a } }\n");
  BOOST_REQUIRE(labels_only.isOk());
  BOOST_TEST(labels_only->node.id.empty());
  BOOST_TEST(labels_only->node.labels.size() == 1u);
}

BOOST_AUTO_TEST_CASE(node_mistakes_are_named_by_line_and_field) {
  BOOST_TEST(errorOf("node:\n  id: a\n  metadata: {}\n") ==
             "t.yaml:3: node.metadata: unknown field (expected one of: id, cluster, labels)");
  BOOST_TEST(errorOf("node:\n  labels: [app]\n") ==
             "t.yaml:2: node.labels: must be a map, got a list");
  BOOST_TEST(errorOf("node:\n  id: \"\"\n") == "t.yaml:2: node.id: must not be empty");
  BOOST_TEST(errorOf("node: productpage\n") ==
             "t.yaml:1: node: must be a map, got \"productpage\"");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(labels)

BOOST_AUTO_TEST_CASE(a_selector_holds_when_every_label_is_there_with_its_value) {
  const upstream::Labels labels{{"app", "reviews"}, {"version", "v2"}, {"zone", "a"}};
  BOOST_TEST(containsLabels(labels, {}));
  BOOST_TEST(containsLabels(labels, {{"version", "v2"}}));
  BOOST_TEST(containsLabels(labels, {{"app", "reviews"}, {"zone", "a"}}));
  BOOST_TEST(!containsLabels(labels, {{"version", "v1"}}));
  BOOST_TEST(!containsLabels(labels, {{"version", "v2"}, {"canary", "true"}}));
  BOOST_TEST(!containsLabels({}, {{"app", "reviews"}}));
}

BOOST_AUTO_TEST_CASE(labels_become_a_json_object_and_text) {
  BOOST_TEST(labelsToJson({}) == "{}");
  BOOST_TEST(labelsToJson({{"version", "v\"1"}, {"app", "a"}}) ==
             R"({"app":"a","version":"v\"1"})");
  BOOST_TEST(describeLabels({}) == "(none)");
  BOOST_TEST(describeLabels({{"version", "v1"}, {"app", "a"}}) == "app=a, version=v1");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::config
