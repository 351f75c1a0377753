// Istio's subsets and source labels through the real weft-proxy in front of three real upstreams:
// "reviews" has a and b labelled version v1 and c labelled v2, and its subsets v1 and v2 are
// clusters of their own. A weighted split 80/20 across the subsets, a route to one subset, routes
// with source_labels that match this proxy's node labels or never do (the request falls through
// to the next route), the node's labels changing on reload, and the file:line:field errors of a
// bad subset.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "tests/integration/upstream_pool.h"

namespace weft::itest {
namespace {

constexpr std::string_view kNode =
    "node:\n  id: productpage-1\n  labels: { app: productpage, version: v1 }\n";

// The three upstreams and the bootstrap for them (one worker; every path not routed below goes to
// "backend", which is a).
struct Reviews {
  Upstream a{"a"};
  Upstream b{"b"};
  Upstream c{"c"};

  std::string bootstrap(std::string_view node) const {
    HttpBootstrap spec;
    spec.upstream_port = a.port();
    spec.workers = 1;
    spec.top_level_yaml = node;
    spec.extra_routes =
        "          - match: { prefix: /split }\n"
        "            weighted_clusters:\n"
        "              clusters: [ { name: reviews/v1, weight: 80 }, "
        "{ name: reviews/v2, weight: 20 } ]\n"
        "          - { match: { prefix: /v2 }, cluster: reviews/v2 }\n"
        "          - { match: { prefix: /all }, cluster: reviews }\n"
        "          - match: { prefix: /src, source_labels: { app: ratings } }\n"
        "            cluster: reviews/v1\n"
        "          - match: { prefix: /src, source_labels: { app: productpage, version: v1 } }\n"
        "            cluster: reviews/v2\n";
    spec.extra_clusters =
        "  - name: reviews\n"
        "    connect_timeout: 250ms\n"
        "    endpoints:\n"
        "      - " +
        endpoint(a.port(), "labels: { version: v1 }") + "\n      - " +
        endpoint(b.port(), "labels: { version: v1 }") + "\n      - " +
        endpoint(c.port(), "labels: { version: v2 }") +
        "\n"
        "    subsets:\n"
        "      - { name: v1, labels: { version: v1 } }\n"
        "      - { name: v2, labels: { version: v2 } }\n";
    return httpBootstrapYaml(spec);
  }
};

// spread()'s counts as text: "a=10 b=10".
std::string counts(const std::map<std::string, int>& seen) {
  std::string out;
  for (const auto& [name, count] : seen) {
    out += (out.empty() ? "" : " ") + name + "=" + std::to_string(count);
  }
  return out;
}

// The 1-based line of the first occurrence of `needle` in `text`.
int lineOf(std::string_view text, std::string_view needle) {
  const size_t at = text.find(needle);
  BOOST_REQUIRE_MESSAGE(at != std::string_view::npos, "no " << needle << " in:\n" << text);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

// What `weft-proxy --validate` says about `yaml` (it must refuse it).
ExitResult refused(const std::string& yaml) {
  ExitResult result = runProxyToExit(yaml, milliseconds(10000), {"--validate"});
  BOOST_TEST(result.status != 0, result.stdout_text);
  return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subsets)

BOOST_FIXTURE_TEST_CASE(a_weighted_split_across_subsets_keeps_its_shares, Reviews) {
  Proxy proxy(bootstrap(kNode));
  constexpr int kRequests = 1000;
  const auto seen = spread(proxy.port(), kRequests, "/split");
  const auto count = [&](const std::string& name) {
    const auto found = seen.find(name);
    return found == seen.end() ? 0 : found->second;
  };
  const int v1 = count("a") + count("b");
  const int v2 = count("c");
  BOOST_TEST(v1 + v2 == kRequests, counts(seen));
  // 80% of 1000 has a standard deviation of about 13: ±65 is five of them.
  BOOST_TEST(std::abs(v1 - 800) <= 65, "v1 got " << v1 << ", v2 " << v2);
  // Within v1, round robin over its own two endpoints.
  BOOST_TEST(std::abs(count("a") - count("b")) <= 1);
  // Each subset is a cluster with stats of its own.
  BOOST_TEST(proxy.stat("cluster.reviews/v1.upstream_rq_total").value_or(0) ==
             static_cast<uint64_t>(v1));
  BOOST_TEST(proxy.stat("cluster.reviews/v2.upstream_rq_total").value_or(0) ==
             static_cast<uint64_t>(v2));
  BOOST_TEST(proxy.stat("cluster.reviews.upstream_rq_total").value_or(0) == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_subset_reaches_only_its_endpoints_and_the_parent_all, Reviews) {
  Proxy proxy(bootstrap(kNode));
  BOOST_TEST(counts(spread(proxy.port(), 20, "/v2")) == "c=20");
  BOOST_TEST(counts(spread(proxy.port(), 30, "/all")) == "a=10 b=10 c=10");
}

BOOST_FIXTURE_TEST_CASE(source_labels_follow_the_nodes_labels, Reviews) {
  Proxy proxy(bootstrap(kNode));
  // The "app: ratings" route never matches on this proxy; the productpage one (after it) does.
  BOOST_TEST(counts(spread(proxy.port(), 10, "/src")) == "c=10");

  // The same routes on a proxy of another workload: neither matches, and /src falls through to
  // the catch-all route (backend: a).
  const uint64_t reloads = proxy.stat("server.reload_success").value_or(0);
  proxy.reload(bootstrap("node: { labels: { app: details } }\n"));
  BOOST_REQUIRE(
      eventually([&] { return proxy.stat("server.reload_success").value_or(0) > reloads; }));
  BOOST_TEST(counts(spread(proxy.port(), 10, "/src")) == "a=10");

  // And without a node block the proxy has no labels: the same.
  proxy.reload(bootstrap(""));
  BOOST_REQUIRE(
      eventually([&] { return proxy.stat("server.reload_success").value_or(0) > reloads + 1; }));
  BOOST_TEST(counts(spread(proxy.port(), 10, "/src")) == "a=10");
}

BOOST_FIXTURE_TEST_CASE(bad_subsets_are_reported_with_file_line_and_field, Reviews) {
  const std::string good = bootstrap(kNode);
  const std::string subset_v2 = "      - { name: v2, labels: { version: v2 } }\n";

  std::string none = good;
  none.replace(none.find(subset_v2), subset_v2.size(),
               "      - name: v3\n        labels: { version: v3 }\n");
  ExitResult result = refused(none);
  BOOST_TEST(result.stderr_text.find(result.config_path + ":" +
                                     std::to_string(lineOf(none, "labels: { version: v3 }")) +
                                     ": clusters[1].subsets[1].labels: subset \"v3\" selects no "
                                     "endpoint of cluster \"reviews\": none has the labels "
                                     "version=v3") != std::string::npos,
             result.stderr_text);

  std::string twice = good;
  twice.replace(twice.find(subset_v2), subset_v2.size(),
                "      - { name: v1, labels: { version: v2 } }\n");
  result = refused(twice);
  const int second = lineOf(twice, "{ name: v1, labels: { version: v2 } }");
  BOOST_TEST(result.stderr_text.find(result.config_path + ":" + std::to_string(second) +
                                     ": clusters[1].subsets[1].name: duplicate subset \"v1\" "
                                     "(first at " +
                                     result.config_path + ":" + std::to_string(second - 1) + ")") !=
                 std::string::npos,
             result.stderr_text);

  std::string unknown = good;
  unknown.replace(unknown.find("cluster: reviews/v2 }"), 21, "cluster: reviews/v9 }");
  result = refused(unknown);
  BOOST_TEST(result.stderr_text.find(result.config_path + ":" +
                                     std::to_string(lineOf(unknown, "reviews/v9")) +
                                     ": route_configs[0].virtual_hosts[0].routes[1].cluster: "
                                     "unknown cluster \"reviews/v9\"") != std::string::npos,
             result.stderr_text);

  // A mistake in source_labels is the router's to find; the proxy names its line too.
  std::string labels = good;
  labels.replace(labels.find("source_labels: { app: ratings }"), 31, "source_labels: [ratings]");
  result = refused(labels);
  BOOST_TEST(result.stderr_text.find(result.config_path + ":" +
                                     std::to_string(lineOf(labels, "source_labels: [ratings]")) +
                                     ": route_configs[0].virtual_hosts[0].routes[3].match."
                                     "source_labels: must be an object") != std::string::npos,
             result.stderr_text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
