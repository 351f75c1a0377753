// gRPC through the real weft-proxy: a real gRPC C++ client (weft-grpc-test-client) calls a real
// gRPC C++ server (weft-grpc-test-server) through the proxy, over h2c both ways. All four call
// shapes, large streamed messages, status and trailers preserved, deadlines, and the proxy's own
// replies to gRPC requests (trailers-only, with grpc-status) when it cannot reach the server or
// the request's grpc-timeout expires.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/grpc_programs.h"

namespace weft::itest {
namespace {

using grpctest::ClientRun;
using grpctest::number;
using grpctest::requireOk;
using grpctest::runClient;
using grpctest::text;

constexpr int64_t kMiB = 1 << 20;

// weft-grpc-test-server "alpha" behind the proxy. The weft.test.v1.Dead service goes to a closed
// port; /delay/ paths to weft-test-upstream, an origin that knows nothing of grpc-timeout.
struct GrpcThroughProxy {
  GrpcThroughProxy() : proxy(yaml(server.port(), slow.port())) {}
  static std::string yaml(uint16_t server_port, uint16_t slow_port) {
    HttpBootstrap spec;
    spec.upstream_port = server_port;
    spec.backend_protocol = "http2";
    spec.extra_routes =
        "          - match: { prefix: /weft.test.v1.Dead/ }\n"
        "            cluster: dead\n"
        "          - match: { prefix: /delay/ }\n"
        "            cluster: slow\n";
    spec.extra_clusters =
        "  - name: dead\n"
        "    protocol: http2\n"
        "    connect_timeout: 500ms\n"
        "    endpoints: [ { address: 127.0.0.1, port: " +
        std::to_string(pickFreePort()) +
        " } ]\n"
        "  - name: slow\n"
        "    endpoints: [ { address: 127.0.0.1, port: " +
        std::to_string(slow_port) + " } ]\n";
    return httpBootstrapYaml(spec);
  }
  std::string target() const { return "127.0.0.1:" + std::to_string(proxy.port()); }

  grpctest::GrpcServer server{"alpha"};
  Upstream slow{"slow"};
  Proxy proxy;
};

// A gRPC-shaped request written by hand with curl (no message: only the proxy's handling of it
// matters), for paths the gRPC test client cannot call; curl's output with the response head.
std::string curlGrpc(uint16_t port, std::string_view path, std::vector<std::string> headers = {}) {
  std::vector<std::string> argv = {"/usr/bin/curl",
                                   "-sS",
                                   "-i",
                                   "--http2-prior-knowledge",
                                   "-H",
                                   "content-type: application/grpc",
                                   "-H",
                                   "te: trailers"};
  for (auto& header : headers) {
    argv.push_back("-H");
    argv.push_back(std::move(header));
  }
  argv.push_back("--data-binary");
  argv.push_back("@/dev/null");
  argv.push_back("http://127.0.0.1:" + std::to_string(port) + std::string(path));
  ChildProcess curl(std::move(argv));
  BOOST_REQUIRE(curl.waitExit(milliseconds(10000)));
  curl.waitForOutputEnd(milliseconds(2000));
  return curl.stdoutText();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(grpc_proxy, GrpcThroughProxy)

BOOST_AUTO_TEST_CASE(unary_call_keeps_metadata_status_and_trailers) {
  ClientRun run =
      runClient(target(), {"--rpc", "unary", "--size", "1000", "--metadata", "x-test=through"});
  requireOk(run);
  BOOST_TEST(number(run.report, "reply_bytes") == 1000);
  BOOST_TEST(text(run.report, "server") == "alpha");
  BOOST_TEST(text(run.report, "trailer") == "done");
  BOOST_TEST(text(run.report, "peer_metadata") == "through");
}

BOOST_AUTO_TEST_CASE(client_streaming_carries_8_mib) {
  ClientRun run =
      runClient(target(), {"--rpc", "client_stream", "--count", "128", "--size", "65536"});
  requireOk(run);
  BOOST_TEST(number(run.report, "received_bytes") == 8 * kMiB);
}

BOOST_AUTO_TEST_CASE(server_streaming_carries_8_mib) {
  ClientRun run = runClient(
      target(), {"--rpc", "server_stream", "--reply-count", "128", "--reply-size", "65536"});
  requireOk(run);
  BOOST_TEST(number(run.report, "replies") == 128);
  BOOST_TEST(number(run.report, "reply_bytes") == 8 * kMiB);
}

BOOST_AUTO_TEST_CASE(bidirectional_streaming_echoes_each_message) {
  ClientRun run = runClient(target(), {"--rpc", "bidi", "--count", "64", "--size", "100000"});
  requireOk(run);
  BOOST_TEST(number(run.report, "replies") == 64);
  BOOST_TEST(number(run.report, "reply_bytes") == 64 * 100000);
}

BOOST_AUTO_TEST_CASE(server_error_status_and_message_reach_the_client) {
  ClientRun run = runClient(target(), {"--fail-code", "7", "--expect-code", "7"});
  BOOST_TEST(run.exit_status == 0);
  BOOST_TEST(number(run.report, "status") == 7);
  BOOST_TEST(text(run.report, "message") == "requested failure");
  BOOST_TEST(text(run.report, "trailer") == "done");
}

BOOST_AUTO_TEST_CASE(client_deadline_cancels_through_the_proxy) {
  ClientRun run =
      runClient(target(), {"--delay-ms", "2000", "--deadline-ms", "200", "--expect-code", "4"});
  BOOST_TEST(run.exit_status == 0);
  BOOST_TEST(number(run.report, "status") == 4);
  BOOST_TEST(number(run.report, "elapsed_us") < 1500000);
}

BOOST_AUTO_TEST_CASE(many_calls_multiplex_on_one_upstream_connection) {
  ClientRun run = runClient(target(), {"--repeat", "400", "--concurrency", "8", "--size", "256"});
  BOOST_TEST(run.exit_status == 0);
  BOOST_TEST(number(run.report, "ok") == 400);
  BOOST_TEST(proxy.statSum("upstream_cx_total") <= 2u);  // one per worker at most
}

BOOST_AUTO_TEST_CASE(unreachable_server_is_a_grpc_unavailable_not_a_page) {
  // The test client only knows the Echo service; the Dead one is called by hand.
  std::string out = curlGrpc(proxy.port(), "/weft.test.v1.Dead/Unary");
  BOOST_TEST(out.starts_with("HTTP/2 200"), out);
  BOOST_TEST(out.find("content-type: application/grpc") != std::string::npos, out);
  BOOST_TEST(out.find("grpc-status: 14") != std::string::npos, out);
  BOOST_TEST(out.find("grpc-message: upstream connect error") != std::string::npos, out);
  BOOST_TEST(out.find("<html") == std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(grpc_timeout_is_enforced_by_the_proxy) {
  // The origin would answer after 3 s and ignores grpc-timeout: the proxy ends the call at 300 ms.
  auto started = std::chrono::steady_clock::now();
  std::string out = curlGrpc(proxy.port(), "/delay/3000", {"grpc-timeout: 300m"});
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(out.starts_with("HTTP/2 200"), out);
  BOOST_TEST(out.find("grpc-status: 4") != std::string::npos, out);  // DEADLINE_EXCEEDED
  BOOST_TEST((took < std::chrono::milliseconds(2500)));
  BOOST_TEST(proxy.stat("listener.ingress.downstream_rq_timeout").value_or(0) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
