// Retries in the real weft-proxy, as a route's retry_policy asks (the router hands it over through
// ABI 1.3): a cluster where half the hosts fail turns into all successes with every retry
// counted; request bodies are sent again; connect failures are retried; spent retries pass the
// last answer on with flag URX; the per-try timeout; the max_retries circuit breaker; and request
// mirrors, which get copies without ever slowing the primary.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/upstream_pool.h"

namespace weft::itest {
namespace {

const std::string kRetry5xx =
    "            retry_policy: { retry_on: 5xx, num_retries: 2, "
    "retry_back_off: { base_interval: 1ms, max_interval: 5ms } }\n";

// One upstream that answers and one that always answers 503.
struct HalfFailing {
  Upstream good{"good"};
  Upstream bad{"bad", 503};
  std::vector<std::string> endpoints() const {
    return {endpoint(good.port()), endpoint(bad.port())};
  }
};

// A loopback port whose connections are completed by the kernel and then never served: requests
// to it wait forever.
struct BlackHole {
  BlackHole() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0);
    BOOST_REQUIRE(listen(fd, 128) == 0);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~BlackHole() { close(fd); }
  int fd = -1;
  uint16_t port = 0;
};

// Cluster entries for PoolSpec::cluster_fields (after the pool's own fields).
std::string cluster(const std::string& name, uint16_t port) {
  return "  - name: " + name + "\n    connect_timeout: 1s\n    endpoints: [ " + endpoint(port) +
         " ]\n";
}

// POSTs `body` to /echo `count` times on one connection; each answer must echo it.
void postEchoes(uint16_t port, const std::string& body, int count) {
  auto connection = HttpConnection::open(port);
  BOOST_REQUIRE(connection);
  const std::string length = "content-length: " + std::to_string(body.size()) + "\r\n";
  for (int i = 0; i < count; ++i) {
    BOOST_REQUIRE(connection->send(request("POST", "/echo", length, body)));
    auto response = connection->readResponse();
    BOOST_REQUIRE(response);
    BOOST_TEST(response->status == 200);
    BOOST_TEST((response->body == body));
  }
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resilience)

BOOST_AUTO_TEST_CASE(without_retries_half_the_requests_fail) {
  HalfFailing hosts;
  Proxy proxy(poolBootstrap(hosts.endpoints(), ""));
  const auto seen = spread(proxy.port(), 100);
  BOOST_TEST(seen.at("good") == 50);
  BOOST_TEST(seen.at("503") == 50);
}

BOOST_AUTO_TEST_CASE(retries_turn_a_half_failing_cluster_into_successes) {
  HalfFailing hosts;
  Proxy proxy(poolBootstrap({hosts.endpoints(), "", kRetry5xx, ""}));
  const auto seen = spread(proxy.port(), 200);
  BOOST_TEST(seen.at("good") == 200);
  BOOST_TEST(seen.size() == 1u);
  // Round robin alternates over attempts: after the first request (which may meet either host)
  // every request meets the failing host first and is retried on the good one.
  const uint64_t retries = proxy.stat("cluster.pool.upstream_rq_retry").value_or(0);
  BOOST_TEST((retries == 199u || retries == 200u), retries);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_retry_success").value_or(0) == retries);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_total").value_or(0) == 200 + retries);
}

BOOST_AUTO_TEST_CASE(a_retried_request_sends_its_body_again) {
  HalfFailing hosts;
  Proxy proxy(poolBootstrap({hosts.endpoints(), "", kRetry5xx, ""}));
  const std::string body(100 * 1024, 'b');
  postEchoes(proxy.port(), body, 6);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_retry").value_or(0) >= 2u);
}

BOOST_AUTO_TEST_CASE(connect_failures_are_retried_on_another_host) {
  Upstream good("good");
  Proxy proxy(
      poolBootstrap({{endpoint(good.port()), endpoint(pickFreePort())},
                     "",
                     "            retry_policy: { retry_on: connect-failure, num_retries: 1 }\n",
                     ""}));
  const auto seen = spread(proxy.port(), 20);
  BOOST_TEST(seen.at("good") == 20);
  const uint64_t retries = proxy.stat("cluster.pool.upstream_rq_retry").value_or(0);
  BOOST_TEST((retries == 19u || retries == 20u), retries);  // as above
}

BOOST_AUTO_TEST_CASE(spent_retries_pass_the_last_answer_on_with_urx) {
  Upstream bad("bad", 503);
  TempDir logs;
  const std::string log_path = logs.path() + "/access.log";
  Proxy proxy(poolBootstrap({{endpoint(bad.port())},
                             "",
                             kRetry5xx,
                             "access_log:\n  path: " + log_path +
                                 "\n  format: \"%RESPONSE_CODE% %RESPONSE_FLAGS%\\n\"\n"}));
  auto response = get(proxy.port(), "/");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 503);
  BOOST_TEST(response->body == "status 503\n");  // the upstream's own answer
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_retry").value_or(0) == 2u);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_retry_limit_exceeded").value_or(0) == 1u);
  BOOST_TEST(proxy.stat("listener.ingress.flag.URX.downstream_rq_response_flag").value_or(0) == 1u);
  BOOST_TEST(eventually([&] { return readFile(log_path) == "503 URX\n"; }), readFile(log_path));
}

BOOST_AUTO_TEST_CASE(the_per_try_timeout_abandons_an_attempt_and_retries) {
  Upstream slow("slow");
  Proxy proxy(poolBootstrap({{endpoint(slow.port())},
                             "",
                             "            retry_policy: { retry_on: 5xx, num_retries: 1, "
                             "per_try_timeout: 150ms, retry_back_off: { base_interval: 1ms } }\n",
                             ""}));
  const auto started = std::chrono::steady_clock::now();
  auto response = get(proxy.port(), "/delay/1000");
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 504);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_retry").value_or(0) == 1u);
  BOOST_TEST(took >= std::chrono::milliseconds(300));  // two attempts of 150ms
  BOOST_TEST(took < std::chrono::milliseconds(900));   // neither waited for the 1s answer
}

BOOST_AUTO_TEST_CASE(max_retries_zero_refuses_every_retry) {
  HalfFailing hosts;
  Proxy proxy(poolBootstrap({hosts.endpoints(),
                             "    circuit_breakers: { thresholds: [ { max_retries: 0 } ] }\n",
                             kRetry5xx, ""}));
  const auto seen = spread(proxy.port(), 20);
  BOOST_TEST(seen.at("503") == 10);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_retry").value_or(0) == 0u);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_retry_overflow").value_or(0) == 10u);
}

BOOST_AUTO_TEST_CASE(mirrors_get_copies_and_the_primary_never_waits_for_them) {
  Upstream primary("primary");
  Upstream copy("copy");
  BlackHole silent;  // a mirror that never answers must not slow the primary
  Proxy proxy(poolBootstrap(
      {{endpoint(primary.port())},
       cluster("copies", copy.port()) + cluster("silent", silent.port),
       "            request_mirror_policies: [ { cluster: copies }, { cluster: silent } ]\n",
       ""}));
  const std::string body(10000, 'm');
  const auto started = std::chrono::steady_clock::now();
  postEchoes(proxy.port(), body, 20);
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(2)));
  BOOST_TEST(eventually([&] { return proxy.stat("cluster.copies.upstream_rq_2xx") == 20u; }));
  BOOST_TEST(proxy.stat("cluster.silent.upstream_rq_total").value_or(0) == 20u);
  BOOST_TEST(proxy.stat("cluster.pool.upstream_rq_total").value_or(0) == 20u);
}

BOOST_AUTO_TEST_CASE(a_mirror_fraction_copies_about_that_share) {
  Upstream primary("primary");
  Upstream copy("copy");
  Proxy proxy(poolBootstrap({{endpoint(primary.port())},
                             cluster("copies", copy.port()),
                             "            request_mirror_policies: [ { cluster: copies, "
                             "runtime_fraction: { default_value: { numerator: 25 } } } ]\n",
                             ""}));
  BOOST_TEST(spread(proxy.port(), 400).at("primary") == 400);
  uint64_t copied = 0;
  eventually([&] {
    copied = proxy.stat("cluster.copies.upstream_rq_total").value_or(0);
    return proxy.stat("cluster.copies.upstream_rq_2xx").value_or(0) == copied;
  });
  BOOST_TEST(copied >= 60u);  // 25% of 400 is 100; binomial sd ~8.7
  BOOST_TEST(copied <= 140u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
