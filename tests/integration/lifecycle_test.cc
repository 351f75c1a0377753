// weft-proxy's life: refusing a bad bootstrap, SIGHUP reloads (good and bad) under live traffic
// with no failed request, SIGTERM draining, and the admin endpoints.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// The 1-based number of the line of `text` holding `needle`, as text.
std::string lineOf(const std::string& text, std::string_view needle) {
  size_t at = text.find(needle);
  return std::to_string(std::count(text.begin(), text.begin() + at, '\n') + 1);
}

std::string bodyOf(uint16_t port, const std::string& path) {
  auto response = get(port, path);
  return response && response->status == 200 ? response->body : "";
}

// Sends GET / over and over, alternating a kept-alive connection and fresh ones, and records
// every request that does not come back 200 "hello from <expected>".
class TrafficLoop {
 public:
  TrafficLoop(uint16_t port, std::string expected_body)
      : port_(port), expected_(std::move(expected_body)), thread_([this] { run(); }) {}
  ~TrafficLoop() { stop(); }

  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int requests() const { return requests_; }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  void run() {
    std::unique_ptr<HttpConnection> kept;
    for (int round = 0; !stopping_; ++round) {
      bool fresh = round % 4 == 3;
      std::unique_ptr<HttpConnection> once;
      if (fresh || !kept) (fresh ? once : kept) = HttpConnection::open(port_);
      HttpConnection* connection = fresh ? once.get() : kept.get();
      ++requests_;
      std::string what = fresh ? "new connection" : "kept-alive connection";
      if (connection == nullptr) {
        failures_.push_back(what + ": connect failed");
        kept.reset();
        continue;
      }
      std::optional<HttpResponse> response;
      if (connection->send(request("GET", "/"))) response = connection->readResponse();
      if (!response) {
        failures_.push_back(what + ": " + connection->lastError());
        if (!fresh) kept.reset();
      } else if (response->status != 200 || response->body != expected_) {
        failures_.push_back(what + ": status " + std::to_string(response->status) + " " +
                            response->body);
      } else if (!fresh && response->header("connection").value_or("") == "close") {
        kept.reset();  // the proxy asked to close: honoured, not a failure
      }
    }
  }

  uint16_t port_;
  std::string expected_;
  std::atomic<bool> stopping_{false};
  int requests_ = 0;                   // read after stop()
  std::vector<std::string> failures_;  // read after stop()
  std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(bad_bootstrap_fails_start_with_file_and_line) {
  const std::string yaml =
      "workers: 1\n"                              // 1
      "admin: { address: 127.0.0.1, port: 0 }\n"  // 2
      "listeners:\n"                              // 3
      "  - name: ingress\n"                       // 4
      "    address: 127.0.0.1\n"                  // 5
      "    port: ${port:ingress}\n"               // 6
      "    protocol: http\n"                      // 7
      "    route_config: local\n"                 // 8
      "route_configs:\n"                          // 9
      "  - name: local\n"                         // 10
      "    virtual_hosts:\n"                      // 11
      "      - name: all\n"                       // 12
      "        domains: [\"*\"]\n"                // 13
      "        routes:\n"                         // 14
      "          - match: { prefix: / }\n"        // 15
      "            cluster: backend\n"            // 16
      "clusters:\n"                               // 17
      "  - name: backend\n"                       // 18
      "    endpoints:\n"                          // 19
      "      - address: 127.0.0.1\n"              // 20
      "        port: 70000\n";                    // 21: out of range
  auto result = runProxyToExit(yaml, milliseconds(10000));
  BOOST_TEST(result.status != 0);
  BOOST_TEST(result.stderr_text.find("bootstrap.yaml:21:") != std::string::npos,
             "expected bootstrap.yaml:21: in stderr:\n"
                 << result.stderr_text);
  BOOST_TEST(result.stderr_text.find("port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validate_checks_the_file_and_its_filters_without_serving) {
  HttpBootstrap spec;
  spec.upstream_port = 1;
  auto good = runProxyToExit(httpBootstrapYaml(spec), milliseconds(10000), {"--validate"});
  BOOST_TEST(good.status == 0, good.stderr_text);
  BOOST_TEST(good.stdout_text.find("is valid") != std::string::npos, good.stdout_text);

  spec.filters = {{"greeter", std::string(WEFT_TEST_PLUGIN_DIR) + "/reject_config.so", ""}};
  auto bad = runProxyToExit(httpBootstrapYaml(spec), milliseconds(10000), {"--validate"});
  BOOST_TEST(bad.status != 0);
  BOOST_TEST(bad.stderr_text.find("greeting must be a string") != std::string::npos,
             bad.stderr_text);
}

BOOST_AUTO_TEST_CASE(a_bad_route_is_reported_with_its_file_line_and_field) {
  // The router checks route fields; the proxy points at the line they are written on.
  HttpBootstrap spec;
  spec.upstream_port = 1;
  spec.extra_routes =
      "          - match: { prefix: /a }\n"
      "            cluster: backend\n"
      "          - match: { prefx: /b }\n"
      "            cluster: backend\n";
  auto bad = runProxyToExit(httpBootstrapYaml(spec), milliseconds(10000), {"--validate"});
  BOOST_TEST(bad.status != 0);
  const std::string expected = bad.config_path +
                               ":18: route_configs[0].virtual_hosts[0].routes[1].match: unknown "
                               "field 'prefx'";
  BOOST_TEST(bad.stderr_text.find(expected) != std::string::npos, bad.stderr_text);
}

BOOST_AUTO_TEST_CASE(sighup_reloads_without_failing_a_request) {
  Upstream alpha("alpha");
  Upstream beta("beta");
  HttpBootstrap spec;
  spec.upstream_port = alpha.port();
  Proxy proxy(httpBootstrapYaml(spec));
  const uint16_t port = proxy.port();
  BOOST_REQUIRE_EQUAL(bodyOf(port, "/v2/x"), "hello from alpha\n");

  TrafficLoop traffic(port, "hello from alpha\n");
  std::this_thread::sleep_for(milliseconds(200));

  // Good file: /v2 now goes to the second upstream.
  uint64_t successes = proxy.stat("server.reload_success").value_or(0);
  spec.extra_routes =
      "          - match: { prefix: /v2 }\n"
      "            cluster: second\n";
  spec.extra_clusters =
      "  - name: second\n"
      "    endpoints: [ { address: 127.0.0.1, port: " +
      std::to_string(beta.port()) + " } ]\n";
  proxy.reload(httpBootstrapYaml(spec));
  BOOST_TEST(
      eventually([&] { return proxy.stat("server.reload_success").value_or(0) > successes; }),
      "server.reload_success did not move; stderr:\n"
          << proxy.process().stderrText());
  BOOST_TEST(eventually([&] { return bodyOf(port, "/v2/x") == "hello from beta\n"; }),
             "/v2 never reached the new upstream");
  std::this_thread::sleep_for(milliseconds(200));

  // Bad file: rejected, the last good config keeps serving.
  uint64_t failures = proxy.stat("server.reload_failure").value_or(0);
  size_t logged_before = proxy.process().stderrText().size();
  spec.extra_clusters =
      "  - name: second\n"
      "    endpoints: [ { address: 127.0.0.1, port: 70000 } ]\n";
  const std::string bad = httpBootstrapYaml(spec);
  const std::string bad_at = "bootstrap.yaml:" + lineOf(bad, "port: 70000") + ":";
  proxy.reload(bad);
  BOOST_TEST(eventually([&] { return proxy.stat("server.reload_failure").value_or(0) > failures; }),
             "server.reload_failure did not move");
  BOOST_TEST(proxy.process().stderrShows(bad_at, logged_before),
             "the log does not name " << bad_at << "\n"
                                      << proxy.process().stderrText().substr(logged_before));
  std::this_thread::sleep_for(milliseconds(200));
  BOOST_TEST(bodyOf(port, "/v2/x") == "hello from beta\n");
  BOOST_TEST(bodyOf(port, "/") == "hello from alpha\n");
  BOOST_TEST(proxy.process().running());

  traffic.stop();
  BOOST_TEST_MESSAGE("requests during reloads: " << traffic.requests());
  BOOST_TEST(traffic.requests() > 20);
  const auto& failed = traffic.failures();
  BOOST_TEST(failed.empty(), failed.size() << " failed requests, first: "
                                           << (failed.empty() ? "" : failed.front()));
}

BOOST_AUTO_TEST_CASE(sigterm_drains_in_flight_then_exits_zero) {
  Upstream upstream("slow");
  HttpBootstrap spec;
  spec.upstream_port = upstream.port();
  Proxy proxy(httpBootstrapYaml(spec));
  const uint16_t port = proxy.port();

  auto in_flight = HttpConnection::open(port);
  BOOST_REQUIRE(in_flight);
  BOOST_REQUIRE(in_flight->send(request("GET", "/delay/1500")));
  BOOST_REQUIRE_MESSAGE(
      eventually([&] { return proxy.statSum(kUpstreamRequestsStat) >= 1; }, milliseconds(1000)),
      "the slow request never reached the upstream");
  auto signalled = steady_clock::now();
  proxy.process().signal(SIGTERM);

  // New connections are refused while the slow request is still in flight.
  BOOST_TEST(eventually([&] { return HttpConnection::connectErrno(port) == ECONNREFUSED; },
                        milliseconds(1000)),
             "the listener still accepts after SIGTERM");
  BOOST_TEST(proxy.process().running(), "exited before finishing the in-flight request");
  auto refused_after =
      std::chrono::duration_cast<milliseconds>(steady_clock::now() - signalled).count();
  BOOST_TEST(refused_after < 1300, "refused only " << refused_after << " ms after SIGTERM");

  auto response = in_flight->readResponse(milliseconds(5000));
  BOOST_REQUIRE_MESSAGE(response, "in-flight request lost: " << in_flight->lastError());
  BOOST_TEST(response->status == 200);

  auto status = proxy.process().waitExit(milliseconds(7000));
  BOOST_REQUIRE_MESSAGE(status, "still running after the drain");
  BOOST_TEST(*status == 0);
}

BOOST_AUTO_TEST_CASE(admin_endpoints) {
  Upstream upstream("delta");
  HttpBootstrap spec;
  spec.upstream_port = upstream.port();
  Proxy proxy(httpBootstrapYaml(spec));
  BOOST_REQUIRE(get(proxy.port(), "/"));

  for (const char* path : {"/ready", "/healthz"}) {
    auto response = proxy.admin(path);
    BOOST_REQUIRE(response);
    BOOST_TEST(response->status == 200, path);
  }

  auto stats = proxy.admin("/stats");
  BOOST_REQUIRE(stats);
  BOOST_TEST(stats->status == 200);
  bool counted = false;  // some "listener.ingress.<counter>: <non-zero>" line
  std::istringstream lines(stats->body);
  for (std::string line; std::getline(lines, line);) {
    size_t colon = line.find(": ");
    counted |= line.rfind("listener.ingress.", 0) == 0 && colon != std::string::npos &&
               line.compare(colon, 3, ": 0") != 0;
  }
  BOOST_TEST(counted, "no non-zero listener.ingress.* counter:\n" << stats->body);

  auto prometheus = proxy.admin("/stats/prometheus");
  BOOST_REQUIRE(prometheus);
  BOOST_TEST(prometheus->status == 200);
  BOOST_TEST(prometheus->body.find("# TYPE") != std::string::npos);

  auto dump = proxy.admin("/config_dump");
  BOOST_REQUIRE(dump);
  BOOST_TEST(dump->status == 200);
  BOOST_TEST(dump->body.find_first_not_of(" \r\n\t") == dump->body.find('{'), dump->body);
  BOOST_TEST(dump->body.find("\"ingress\"") != std::string::npos, dump->body);

  auto clusters = proxy.admin("/clusters");
  BOOST_REQUIRE(clusters);
  BOOST_TEST(clusters->status == 200);
  BOOST_TEST(clusters->body.find("backend") != std::string::npos, clusters->body);
  BOOST_TEST(
      clusters->body.find("127.0.0.1:" + std::to_string(upstream.port())) != std::string::npos,
      clusters->body);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
