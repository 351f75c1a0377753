// Limits the proxy enforces, each seen from outside and through its counter: connections per
// listener, the idle timeout of keep-alive connections, and a cluster's connection and pending
// request limits (503 with the UO flag beyond them).
#include <boost/test/unit_test.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {
namespace {

struct LimitedProxy {
  explicit LimitedProxy(const std::string& limits)
      : proxy([&] {
          HttpBootstrap spec;
          spec.upstream_port = upstream.port();
          spec.workers = 1;
          spec.limits_yaml = limits;
          // Host limited.example goes to the same upstream through a cluster allowing one
          // connection and one waiting request.
          spec.extra_virtual_hosts =
              "      - name: limited\n        domains: [\"limited.example\"]\n"
              "        routes:\n          - match: { prefix: / }\n            cluster: limited\n";
          spec.extra_clusters =
              "  - name: limited\n    max_connections: 1\n"
              "    max_pending_requests: 1\n    endpoints: [ { address: 127.0.0.1, port: " +
              std::to_string(upstream.port()) + " } ]\n";
          return httpBootstrapYaml(spec);
        }()) {}

  Upstream upstream{"epsilon"};
  Proxy proxy;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(connections_beyond_max_connections_are_closed_and_counted) {
  LimitedProxy setup("max_connections: 2");
  std::vector<std::unique_ptr<HttpConnection>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(HttpConnection::open(setup.proxy.port()));
    BOOST_REQUIRE(held.back());
    BOOST_REQUIRE(held.back()->send(request("GET", "/")));
    auto response = held.back()->readResponse();
    BOOST_REQUIRE(response);
    BOOST_TEST(response->status == 200);
  }
  auto third = HttpConnection::open(setup.proxy.port());
  BOOST_REQUIRE(third);
  third->send(request("GET", "/"));
  BOOST_TEST(!third->readResponse(milliseconds(1000)).has_value());
  BOOST_TEST(third->waitForClose());
  BOOST_TEST(setup.proxy.statSum("downstream_cx_overflow") == 1u);

  held.clear();  // once a slot is free, new connections are served again
  BOOST_TEST(eventually([&] { return get(setup.proxy.port(), "/").has_value(); }));
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_time_out) {
  LimitedProxy setup("idle_timeout: 300ms");
  auto connection = HttpConnection::open(setup.proxy.port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("GET", "/")));
  BOOST_REQUIRE(connection->readResponse());
  BOOST_TEST(connection->waitForClose(milliseconds(3000)));
  BOOST_TEST(setup.proxy.statSum("downstream_cx_idle_timeout") == 1u);
}

BOOST_AUTO_TEST_CASE(cluster_limits_queue_then_refuse_with_503) {
  LimitedProxy setup("");
  // Three slow requests at once: one gets the only connection, one waits for it, one is refused.
  std::vector<std::future<std::optional<HttpResponse>>> calls;
  for (int i = 0; i < 3; ++i) {
    calls.push_back(std::async(std::launch::async, [&]() -> std::optional<HttpResponse> {
      auto connection = HttpConnection::open(setup.proxy.port());
      if (!connection ||
          !connection->send(request("GET", "/delay/400", "Host: limited.example\r\n", "", ""))) {
        return std::nullopt;
      }
      return connection->readResponse(milliseconds(5000));
    }));
    std::this_thread::sleep_for(milliseconds(50));
  }
  int ok = 0, refused = 0;
  for (auto& call : calls) {
    auto response = call.get();
    BOOST_REQUIRE(response);
    ok += response->status == 200 ? 1 : 0;
    refused += response->status == 503 ? 1 : 0;
  }
  BOOST_TEST(ok == 2);
  BOOST_TEST(refused == 1);
  BOOST_TEST(setup.proxy.statSum("upstream_rq_pending_overflow") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
