// Load balancing and resilience in the real weft-proxy in front of several real upstreams (and
// ports nobody listens on): weighted round robin, consistent hashing that sticks and moves about
// 1/N of the keys when a host goes, cookie affinity, outlier ejection and return (and ejections
// kept across a reload), active health checks taking a host out and back, the max_requests circuit
// breaker, and "no healthy upstream".
#include <boost/test/unit_test.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/upstream_pool.h"

namespace weft::itest {
namespace {

// Upstreams named a, b, c, ...
std::vector<std::unique_ptr<Upstream>> upstreams(int count) {
  std::vector<std::unique_ptr<Upstream>> out;
  for (int i = 0; i < count; ++i)
    out.push_back(std::make_unique<Upstream>(std::string(1, 'a' + i)));
  return out;
}

// Who answers user `user` (hashed from header x-user).
std::string ownerOf(uint16_t port, int user) {
  return answeredBy(get(port, "/", "x-user: user-" + std::to_string(user) + "\r\n"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(load_balancing)

BOOST_AUTO_TEST_CASE(weighted_round_robin_gives_each_host_its_share) {
  auto hosts = upstreams(2);
  Proxy proxy(poolBootstrap(
      {endpoint(hosts[0]->port(), "load_balancing_weight: 3"), endpoint(hosts[1]->port())}, ""));
  const auto seen = spread(proxy.port(), 400);
  BOOST_TEST(seen.at("a") == 300);
  BOOST_TEST(seen.at("b") == 100);
}

BOOST_AUTO_TEST_CASE(least_request_and_random_reach_every_host) {
  for (const char* policy : {"LEAST_REQUEST", "RANDOM", "MAGLEV"}) {
    auto hosts = upstreams(3);
    std::vector<std::string> endpoints;
    for (const auto& host : hosts) endpoints.push_back(endpoint(host->port()));
    Proxy proxy(poolBootstrap(endpoints, std::string("    lb_policy: ") + policy + "\n"));
    const auto seen = spread(proxy.port(), 300);
    BOOST_TEST(seen.size() == 3u, policy);
    for (const auto& [name, count] : seen) BOOST_TEST(count > 30, policy << " " << name);
  }
}

BOOST_AUTO_TEST_CASE(ring_hash_sticks_and_a_removed_host_moves_only_its_keys) {
  // Eight hosts, then seven: from seven hosts on, every host keeps its 160 ring points whatever
  // the host count (ring_hash.h), so a host going moves its own keys and no others.
  constexpr int kHosts = 8;
  auto hosts = upstreams(kHosts);
  const std::string fields =
      "    lb_policy: RING_HASH\n    hash_policy: [ { header: { header_name: x-user } } ]\n";
  std::vector<std::string> all;
  for (const auto& host : hosts) all.push_back(endpoint(host->port()));
  Proxy proxy(poolBootstrap(all, fields));
  constexpr int kUsers = 800;
  std::vector<std::string> before(kUsers);
  for (int user = 0; user < kUsers; ++user) before[user] = ownerOf(proxy.port(), user);
  for (int user = 0; user < kUsers; user += 7) {
    BOOST_TEST(ownerOf(proxy.port(), user) == before[user]);
  }

  const uint64_t reloads = proxy.stat("server.reload_success").value_or(0);
  all.pop_back();  // host "h" goes
  proxy.reload(poolBootstrap(all, fields));
  BOOST_REQUIRE(
      eventually([&] { return proxy.stat("server.reload_success").value_or(0) > reloads; }));
  int on_h = 0;
  int moved_elsewhere = 0;
  for (int user = 0; user < kUsers; ++user) {
    const std::string now = ownerOf(proxy.port(), user);
    if (before[user] == "h") {
      ++on_h;
      BOOST_TEST(now != "h");
      BOOST_TEST(now.size() == 1u);  // another host answered
    } else if (now != before[user]) {
      ++moved_elsewhere;
    }
  }
  BOOST_TEST(moved_elsewhere == 0);  // only h's keys moved: about 1/N of them
  BOOST_TEST(on_h > kUsers / kHosts / 2);
  BOOST_TEST(on_h < kUsers / kHosts * 2);
}

BOOST_AUTO_TEST_CASE(a_cookie_policy_sets_the_cookie_and_then_follows_it) {
  auto hosts = upstreams(3);
  std::vector<std::string> endpoints;
  for (const auto& host : hosts) endpoints.push_back(endpoint(host->port()));
  Proxy proxy(poolBootstrap(endpoints,
                            "    lb_policy: MAGLEV\n    hash_policy: [ { cookie: { name: sticky, "
                            "ttl: 3600s, path: / } } ]\n"));
  auto first = get(proxy.port(), "/");
  BOOST_REQUIRE(first);
  const std::string cookie = first->header("set-cookie").value_or("");
  BOOST_TEST(cookie.starts_with("sticky="), cookie);
  BOOST_TEST(cookie.find("Max-Age=3600") != std::string::npos, cookie);
  const std::string value = cookie.substr(0, cookie.find(';'));
  const auto seen = spread(proxy.port(), 30, "/", "cookie: " + value + "\r\n");
  BOOST_TEST(seen.size() == 1u);
  BOOST_TEST(seen.begin()->first == answeredBy(first));
}

BOOST_AUTO_TEST_CASE(outlier_detection_ejects_a_failing_host_and_takes_it_back) {
  Upstream good("a");
  const uint16_t dead = pickFreePort();  // nothing listens: every connect fails
  Proxy proxy(poolBootstrap({endpoint(good.port()), endpoint(dead)},
                            "    outlier_detection: { consecutive_5xx: 2, interval: 50ms, "
                            "base_ejection_time: 400ms, max_ejection_percent: 100 }\n"));
  // Round robin sends every other request to the dead host until its second failure.
  const auto first = spread(proxy.port(), 4);
  BOOST_TEST(first.at("a") == 2);
  BOOST_TEST(first.at("503") == 2);
  BOOST_TEST(proxy.stat("outlier_detection.cluster.pool.ejections_total").value_or(0) == 1u);
  BOOST_TEST(proxy.stat("outlier_detection.cluster.pool.ejections_active").value_or(0) == 1u);
  const auto ejected = spread(proxy.port(), 20);
  BOOST_TEST(ejected.at("a") == 20);
  // Its ejection time over, it is back in rotation (and soon ejected again).
  BOOST_REQUIRE(eventually([&] {
    return proxy.stat("outlier_detection.cluster.pool.ejections_active").value_or(1) == 0;
  }));
  const auto back = spread(proxy.port(), 4);
  BOOST_TEST(back.count("503") == 1u);
}

BOOST_AUTO_TEST_CASE(an_ejection_survives_a_reload_that_changes_the_cluster) {
  Upstream a("a");
  Upstream b("b");
  const uint16_t dead = pickFreePort();
  const std::string outlier =
      "    outlier_detection: { consecutive_5xx: 1, base_ejection_time: 30s, "
      "max_ejection_percent: 100 }\n";
  Proxy proxy(poolBootstrap({endpoint(a.port()), endpoint(dead)}, outlier));
  spread(proxy.port(), 2);  // one of them meets the dead host, which is ejected
  BOOST_REQUIRE(proxy.stat("outlier_detection.cluster.pool.ejections_active").value_or(0) == 1u);
  const uint64_t reloads = proxy.stat("server.reload_success").value_or(0);
  proxy.reload(poolBootstrap({endpoint(a.port()), endpoint(dead), endpoint(b.port())}, outlier));
  BOOST_REQUIRE(
      eventually([&] { return proxy.stat("server.reload_success").value_or(0) > reloads; }));
  // The new host b takes traffic; the dead one stays ejected.
  const auto seen = spread(proxy.port(), 30);
  BOOST_TEST(seen.count("503") == 0u);
  BOOST_TEST(seen.at("a") == 15);
  BOOST_TEST(seen.at("b") == 15);
  BOOST_TEST(proxy.stat("outlier_detection.cluster.pool.ejections_total").value_or(0) == 1u);
}

BOOST_AUTO_TEST_CASE(active_health_checks_take_a_host_out_and_bring_it_back) {
  Upstream good("a");
  const uint16_t later = pickFreePort();  // nothing listens there yet
  Proxy proxy(poolBootstrap({endpoint(good.port()), endpoint(later)},
                            "    health_checks: [ { timeout: 1s, interval: 50ms, "
                            "unhealthy_threshold: 1, healthy_threshold: 1, "
                            "http_health_check: { path: /healthz } } ]\n"));
  BOOST_REQUIRE(eventually([&] {
    return proxy.stat("health_check.cluster.pool.healthy").value_or(0) == 1 &&
           proxy.stat("health_check.cluster.pool.network_failure").value_or(0) > 0;
  }));
  BOOST_TEST(spread(proxy.port(), 20).at("a") == 20);  // the failing host gets nothing
  // A server comes up on the host's port: its next check passes and traffic returns to it.
  Upstream b("b", 200, later);
  BOOST_REQUIRE(
      eventually([&] { return proxy.stat("health_check.cluster.pool.healthy").value_or(0) == 2; }));
  const auto both = spread(proxy.port(), 20);
  BOOST_TEST(both.at("a") == 10);
  BOOST_TEST(both.at("b") == 10);
}

BOOST_AUTO_TEST_CASE(no_healthy_host_answers_503_uh) {
  const uint16_t dead = pickFreePort();
  Proxy proxy(
      poolBootstrap({endpoint(dead)},
                    "    outlier_detection: { consecutive_5xx: 1, max_ejection_percent: 100 }\n"
                    "    common_lb_config: { healthy_panic_threshold: { value: 0 } }\n"));
  auto failed = get(proxy.port(), "/");
  BOOST_REQUIRE(failed);
  BOOST_TEST(failed->status == 503);
  BOOST_TEST(failed->body == "upstream connect error\n");
  auto none = get(proxy.port(), "/");
  BOOST_REQUIRE(none);
  BOOST_TEST(none->status == 503);
  BOOST_TEST(none->body == "no healthy upstream\n");
  BOOST_TEST(proxy.stat("cluster.pool.upstream_cx_none_healthy").value_or(0) == 1u);
  BOOST_TEST(proxy.stat("listener.ingress.flag.UH.downstream_rq_response_flag").value_or(0) == 1u);
  BOOST_TEST(proxy.stat("listener.ingress.flag.UF.downstream_rq_response_flag").value_or(0) == 1u);
}

BOOST_AUTO_TEST_CASE(max_requests_overflow_answers_503_uo) {
  Upstream slow("a");
  Proxy proxy(poolBootstrap({endpoint(slow.port())},
                            "    circuit_breakers: { thresholds: [ { max_requests: 1 } ] }\n"));
  auto waiting = HttpConnection::open(proxy.port());
  BOOST_REQUIRE(waiting);
  BOOST_REQUIRE(waiting->send(request("GET", "/delay/500")));
  BOOST_REQUIRE(
      eventually([&] { return proxy.stat("cluster.pool.upstream_rq_active").value_or(0) == 1; }));
  auto overflow = get(proxy.port(), "/");
  BOOST_REQUIRE(overflow);
  BOOST_TEST(overflow->status == 503);
  BOOST_TEST(overflow->body == "upstream overflow\n");
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_pending_overflow").value_or(0) == 1u);
  BOOST_TEST(proxy.stat("listener.ingress.flag.UO.downstream_rq_response_flag").value_or(0) == 1u);
  auto first = waiting->readResponse();
  BOOST_REQUIRE(first);
  BOOST_TEST(first->status == 200);
  BOOST_TEST(answeredBy(get(proxy.port(), "/")) == "a");  // the breaker closed again
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
