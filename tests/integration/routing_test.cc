// Routing and fault injection through the real weft-proxy to two real weft-test-upstreams
// ("alpha" and "beta"): a header match choosing the cluster, a 10,000-request weighted split
// within ±2%, a redirect, path and host rewrites as the upstream sees them, and the fault filter's
// abort and delay percentages and fixed delay.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {
namespace {

using std::chrono::steady_clock;

constexpr int kDelayMs = 300;

// Two fault filters (one aborts requests carrying "x-fault: abort" a quarter of the time, the
// other delays those carrying "x-fault: delay"), then the router over the routes under test.
std::string routingBootstrap(uint16_t alpha_port, uint16_t beta_port) {
  return R"(workers: 2
drain_timeout: 3s
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: ${port:ingress}
    protocol: http
    route_config: local
    filters:
      - name: fault-abort
        builtin: fault
        config:
          abort: { http_status: 503, percentage: { numerator: 25 } }
          headers: [ { name: x-fault, exact_match: abort } ]
      - name: fault-delay
        builtin: fault
        config:
          delay: { fixed_delay: )" +
         std::to_string(kDelayMs) + R"(ms, percentage: { numerator: 100 } }
          headers: [ { name: x-fault, exact_match: delay } ]
      - name: fault-some-delay
        builtin: fault
        config:
          delay: { fixed_delay: 30ms, percentage: { numerator: 40 } }
          headers: [ { name: x-fault, exact_match: some-delay } ]
route_configs:
  - name: local
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: /, headers: [ { name: x-version, exact_match: v2 } ] }
            cluster: beta
          - match: { prefix: /split }
            weighted_clusters:
              clusters: [ { name: alpha, weight: 75 }, { name: beta, weight: 25 } ]
          - match: { prefix: /old/ }
            redirect: { https_redirect: true, prefix_rewrite: /new/, response_code: 308 }
          - match: { prefix: /api/ }
            cluster: beta
            prefix_rewrite: /
            host_rewrite_literal: rewritten.internal
            request_headers_to_add: [ { header: { key: x-routed, value: api } } ]
            response_headers_to_add: [ { header: { key: x-route, value: api } } ]
          - match: { prefix: /delay/ }
            cluster: alpha
            timeout: 200ms
          - match: { prefix: / }
            cluster: alpha
clusters:
  - name: alpha
    connect_timeout: 1s
    endpoints: [ { address: 127.0.0.1, port: )" +
         std::to_string(alpha_port) + R"( } ]
  - name: beta
    connect_timeout: 1s
    endpoints: [ { address: 127.0.0.1, port: )" +
         std::to_string(beta_port) + R"( } ]
)";
}

struct RoutingProxy {
  Upstream alpha{"alpha"};
  Upstream beta{"beta"};
  Proxy proxy{routingBootstrap(alpha.port(), beta.port())};

  // `n` requests on one keep-alive connection; calls check(response) for each.
  template <typename Check>
  void repeat(int n, const std::string& bytes, Check check) {
    auto connection = HttpConnection::open(proxy.port());
    BOOST_REQUIRE(connection);
    for (int i = 0; i < n; ++i) {
      BOOST_REQUIRE(connection->send(bytes));
      auto response = connection->readResponse();
      BOOST_REQUIRE_MESSAGE(response, "request " << i << ": " << connection->lastError());
      check(*response);
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(routing)

BOOST_FIXTURE_TEST_CASE(header_match_picks_the_cluster, RoutingProxy) {
  auto v2 = fetch(proxy.port(), "GET", "/", "x-version: v2\r\n");
  BOOST_REQUIRE(v2);
  BOOST_TEST(v2->status == 200);
  BOOST_TEST(v2->header("x-upstream-name").value_or("") == "beta");
  auto v1 = fetch(proxy.port(), "GET", "/", "x-version: v1\r\n");
  BOOST_REQUIRE(v1);
  BOOST_TEST(v1->header("x-upstream-name").value_or("") == "alpha");
}

BOOST_FIXTURE_TEST_CASE(weighted_split_through_the_proxy, RoutingProxy) {
  constexpr int kRequests = 10000;
  int alpha_count = 0, beta_count = 0;
  repeat(kRequests, request("GET", "/split"), [&](const HttpResponse& response) {
    const std::string name = response.header("x-upstream-name").value_or("");
    alpha_count += name == "alpha";
    beta_count += name == "beta";
  });
  BOOST_TEST(alpha_count + beta_count == kRequests);
  // Within ±2% of 75% (±200 requests; the standard deviation is about 43).
  BOOST_TEST(std::abs(alpha_count - 7500) <= 200, "alpha got " << alpha_count);
}

BOOST_FIXTURE_TEST_CASE(redirect_is_answered_by_the_proxy, RoutingProxy) {
  const uint64_t upstream_before = proxy.statSum(kUpstreamRequestsStat);
  auto response = fetch(proxy.port(), "GET", "/old/page?x=1");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 308);
  BOOST_TEST(response->header("location").value_or("") == "https://localhost/new/page?x=1");
  BOOST_TEST(!response->header("x-upstream-name").has_value());
  BOOST_TEST(proxy.statSum(kUpstreamRequestsStat) == upstream_before);
}

BOOST_FIXTURE_TEST_CASE(rewrites_are_seen_by_the_upstream, RoutingProxy) {
  auto response = get(proxy.port(), "/api/headers?q=1");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  BOOST_TEST(response->header("x-upstream-name").value_or("") == "beta");
  BOOST_TEST(response->header("x-route").value_or("") == "api");
  // The upstream answered /headers (the rewritten path) with what it received.
  BOOST_TEST(echoedHeader(*response, "host").value_or("") == "rewritten.internal", response->body);
  BOOST_TEST(echoedHeader(*response, "x-envoy-original-path").value_or("") == "/api/headers?q=1");
  BOOST_TEST(echoedHeader(*response, "x-routed").value_or("") == "api");
}

BOOST_FIXTURE_TEST_CASE(fault_abort_percentage, RoutingProxy) {
  constexpr int kRequests = 1000;
  int aborted = 0, passed = 0;
  repeat(kRequests, request("GET", "/", "x-fault: abort\r\n"), [&](const HttpResponse& response) {
    if (response.status == 503 && response.body == "fault filter abort") ++aborted;
    if (response.status == 200 && response.header("x-upstream-name") == "alpha") ++passed;
  });
  BOOST_TEST(aborted + passed == kRequests);
  // 25% of 1000 has a standard deviation of about 14: ±70 is five of them.
  BOOST_TEST(std::abs(aborted - 250) <= 70, "aborted " << aborted);
  BOOST_TEST(proxy.stat("fault.filter.fault-abort.aborts_injected").value_or(0) ==
             static_cast<uint64_t>(aborted));

  auto untouched = fetch(proxy.port(), "GET", "/");  // no x-fault header: never aborted
  BOOST_REQUIRE(untouched);
  BOOST_TEST(untouched->status == 200);
}

BOOST_FIXTURE_TEST_CASE(fault_delay_percentage, RoutingProxy) {
  constexpr int kRequests = 200;
  int slow = 0;
  for (int i = 0; i < kRequests; ++i) {
    const auto start = steady_clock::now();
    auto response = fetch(proxy.port(), "GET", "/", "x-fault: some-delay\r\n");
    BOOST_REQUIRE(response);
    BOOST_REQUIRE(response->status == 200);
    slow += steady_clock::now() - start >= std::chrono::milliseconds(30);
  }
  const auto injected = proxy.stat("fault.filter.fault-some-delay.delays_injected").value_or(0);
  // 40% of 200 has a standard deviation of about 7: ±35 is five of them. Every delayed request was
  // slow; an undelayed one is slow only if the machine stalls.
  BOOST_TEST(std::abs(static_cast<int>(injected) - 80) <= 35, "delayed " << injected);
  BOOST_TEST(slow >= static_cast<int>(injected));
  BOOST_TEST(slow <= static_cast<int>(injected) + 5);
}

BOOST_FIXTURE_TEST_CASE(fault_fixed_delay, RoutingProxy) {
  const auto start = steady_clock::now();
  auto delayed = fetch(proxy.port(), "GET", "/", "x-fault: delay\r\n");
  const auto took = steady_clock::now() - start;
  BOOST_REQUIRE(delayed);
  BOOST_TEST(delayed->status == 200);
  BOOST_TEST(delayed->header("x-upstream-name").value_or("") == "alpha");
  BOOST_TEST(took >= std::chrono::milliseconds(kDelayMs),
             std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  BOOST_TEST(proxy.stat("fault.filter.fault-delay.delays_injected").value_or(0) == 1u);
}

BOOST_FIXTURE_TEST_CASE(route_timeout_answers_504_with_flag_ut, RoutingProxy) {
  auto slow = get(proxy.port(), "/delay/1500");
  BOOST_REQUIRE(slow);
  BOOST_TEST(slow->status == 504);
  BOOST_TEST(slow->body == "upstream request timeout\n");
  auto fast = get(proxy.port(), "/delay/10");
  BOOST_REQUIRE(fast);
  BOOST_TEST(fast->status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
