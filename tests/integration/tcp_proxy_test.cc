// The tcp listener: bytes proxied both ways to the cluster unchanged, and a client's half-close
// (FIN after its request) carried through without losing the response.
#include <boost/test/unit_test.hpp>
#include <string>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {
namespace {

constexpr char kTcpBootstrap[] = R"(workers: 1
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: raw
    address: 127.0.0.1
    port: ${port:raw}
    protocol: tcp
    cluster: backend
clusters:
  - name: backend
    connect_timeout: 1s
    endpoints: [ { address: 127.0.0.1, port: ${upstream} } ]
)";

struct TcpProxyToUpstream {
  Upstream upstream{"beta"};
  Proxy proxy{kTcpBootstrap, {{"upstream", std::to_string(upstream.port())}}};
  uint16_t port() const { return proxy.port("raw"); }
};

// Sends a GET of `path` with Connection: close, half-closes, and reads the response. `error`
// says what went wrong: no response, or no close after it.
std::optional<HttpResponse> halfClosedExchange(uint16_t port, const std::string& path,
                                               std::string* error) {
  error->clear();
  auto connection = HttpConnection::open(port);
  if (!connection || !connection->send(request("GET", path, "Connection: close\r\n"))) {
    *error = "cannot connect or send";
    return std::nullopt;
  }
  connection->shutdownWrite();
  auto response = connection->readResponse();
  if (!response) {
    *error = connection->lastError();
  } else if (!connection->waitForClose()) {
    *error = "not closed after the response";
  }
  return response;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_proxy)

BOOST_FIXTURE_TEST_CASE(bytes_pass_through_unchanged, TcpProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("GET", "/headers", "x-raw: 1\r\n")));
  auto echoed = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(echoed, connection->lastError());
  BOOST_TEST(echoed->status == 200);
  auto seen = parseEchoedHeaders(echoed->body);
  BOOST_TEST(seen.count("x-raw") == 1u);
  // A byte proxy adds nothing an HTTP proxy would.
  BOOST_TEST(seen.count("x-forwarded-for") == 0u, echoed->body);
  BOOST_TEST(seen.count("x-request-id") == 0u, echoed->body);

  // Same client connection, same upstream connection: one-to-one.
  auto connection_id = echoed->header("x-upstream-connection");
  BOOST_REQUIRE(connection->send(request("GET", "/bytes/4194304")));
  ReadOptions discard;
  discard.discard_body = true;
  auto big = connection->readResponse(std::chrono::milliseconds(10000), discard);
  BOOST_REQUIRE_MESSAGE(big, connection->lastError());
  BOOST_TEST(big->status == 200);
  BOOST_TEST(big->body_bytes == 4194304u);
  BOOST_TEST((big->header("x-upstream-connection") == connection_id));
}

BOOST_FIXTURE_TEST_CASE(half_close_still_gets_the_whole_response, TcpProxyToUpstream) {
  std::string error;
  // The upstream itself must answer after a half-close, or the proxy cannot be judged.
  auto direct = halfClosedExchange(upstream.port(), "/delay/200", &error);
  BOOST_REQUIRE_MESSAGE(direct && direct->status == 200,
                        "weft-test-upstream itself does not answer after a half-close: " << error);

  // The response comes 200ms after the FIN: the proxy must keep the upstream side open.
  auto delayed = halfClosedExchange(port(), "/delay/200", &error);
  BOOST_REQUIRE_MESSAGE(delayed, error);
  BOOST_TEST(delayed->status == 200);
  BOOST_TEST(error.empty(), error);

  auto big = halfClosedExchange(port(), "/bytes/1048576", &error);
  BOOST_REQUIRE_MESSAGE(big, error);
  BOOST_TEST(big->status == 200);
  BOOST_TEST(big->body_bytes == 1048576u);
  BOOST_TEST(error.empty(), error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
