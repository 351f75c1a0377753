// HTTP/1.1 through the real weft-proxy to a real weft-test-upstream: forwarding, keep-alive,
// pipelining, bodies, header rewriting, error statuses for malformed requests, timeouts,
// WebSocket upgrade, and gigabyte transfers in bounded memory.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {
namespace {

using std::chrono::steady_clock;

constexpr std::string_view kDownstreamActive = "listener.ingress.downstream_cx_active";

std::string routesWith404And503(uint16_t upstream_port) {
  HttpBootstrap spec;
  spec.upstream_port = upstream_port;
  spec.limits_yaml = "header_timeout: 300ms";
  spec.extra_virtual_hosts =
      "      - name: only\n"
      "        domains: [\"only.test\"]\n"
      "        routes:\n"
      "          - match: { prefix: /only-here }\n"
      "            cluster: backend\n";
  spec.extra_routes =
      "          - match: { prefix: /dead }\n"
      "            cluster: dead\n";
  spec.extra_clusters =
      "  - name: dead\n"
      "    connect_timeout: 500ms\n"
      "    endpoints: [ { address: 127.0.0.1, port: " +
      std::to_string(pickFreePort()) + " } ]\n";
  return httpBootstrapYaml(spec);
}

// One upstream "alpha" behind a proxy whose routes also offer a 404 (vhost only.test knows just
// /only-here) and a 503 (/dead goes to a cluster whose endpoint is a closed port).
struct ProxyToUpstream {
  explicit ProxyToUpstream(std::vector<std::string> proxy_env = {})
      : proxy(routesWith404And503(upstream.port()), {}, std::move(proxy_env)) {}

  uint16_t port() const { return proxy.port(); }
  uint64_t upstreamRequests() const { return proxy.statSum(kUpstreamRequestsStat); }

  Upstream upstream{"alpha"};
  Proxy proxy;
};

// For memory measurements (see asanQuarantineOff).
struct ProxyWithoutQuarantine : ProxyToUpstream {
  ProxyWithoutQuarantine() : ProxyToUpstream({asanQuarantineOff()}) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http1_proxy)

BOOST_FIXTURE_TEST_CASE(get_reaches_upstream, ProxyToUpstream) {
  auto response = get(port(), "/");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  BOOST_TEST(response->body == "hello from alpha\n");
  BOOST_TEST(response->header("x-upstream-name").value_or("") == "alpha");
}

BOOST_FIXTURE_TEST_CASE(keep_alive_reuses_one_upstream_connection, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  std::string first_upstream_connection;
  for (int i = 0; i < 5; ++i) {
    BOOST_REQUIRE(connection->send(request("GET", "/")));
    auto response = connection->readResponse();
    BOOST_REQUIRE_MESSAGE(response, "request " << i << ": " << connection->lastError());
    BOOST_TEST(response->status == 200);
    auto upstream_connection = response->header("x-upstream-connection");
    BOOST_REQUIRE(upstream_connection);
    if (i == 0) first_upstream_connection = *upstream_connection;
    BOOST_TEST(*upstream_connection == first_upstream_connection, "request " << i);
  }
}

BOOST_FIXTURE_TEST_CASE(pipelined_requests_answered_in_order, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  std::string three;
  for (int i = 1; i <= 3; ++i) {
    three += request("GET", "/headers", "x-seq: " + std::to_string(i) + "\r\n");
  }
  BOOST_REQUIRE(connection->send(three));
  for (int i = 1; i <= 3; ++i) {
    auto response = connection->readResponse();
    BOOST_REQUIRE_MESSAGE(response, "response " << i << ": " << connection->lastError());
    BOOST_TEST(response->status == 200);
    BOOST_TEST(echoedHeader(*response, "x-seq").value_or("none") == std::to_string(i));
  }
}

BOOST_FIXTURE_TEST_CASE(post_bodies_echoed, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);

  std::string body(256 * 1024, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  BOOST_REQUIRE(connection->send(
      request("POST", "/echo", "Content-Length: " + std::to_string(body.size()) + "\r\n", body)));
  auto sized = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(sized, connection->lastError());
  BOOST_TEST(sized->status == 200);
  BOOST_TEST(sized->body_bytes == body.size());
  BOOST_TEST((sized->body == body));

  BOOST_REQUIRE(connection->send(request("POST", "/echo", "Transfer-Encoding: chunked\r\n",
                                         "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")));
  auto chunked = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(chunked, connection->lastError());
  BOOST_TEST(chunked->status == 200);
  BOOST_TEST(chunked->body == "hello world");
}

BOOST_FIXTURE_TEST_CASE(head_has_no_body_and_keeps_the_connection, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("HEAD", "/")));
  ReadOptions head;
  head.head_request = true;
  auto response = connection->readResponse(std::chrono::milliseconds(5000), head);
  BOOST_REQUIRE_MESSAGE(response, connection->lastError());
  BOOST_TEST(response->status == 200);
  // Any body bytes sent after the HEAD response would garble the next response.
  BOOST_REQUIRE(connection->send(request("GET", "/")));
  auto next = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(next, connection->lastError());
  BOOST_TEST(next->status == 200);
  BOOST_TEST(next->body == "hello from alpha\n");
}

BOOST_FIXTURE_TEST_CASE(expect_100_continue, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(
      connection->send(request("POST", "/echo", "Content-Length: 11\r\nExpect: 100-continue\r\n")));
  auto interim = connection->readResponse(std::chrono::milliseconds(3000));
  BOOST_REQUIRE_MESSAGE(interim, "no 100 Continue: " << connection->lastError());
  BOOST_TEST(interim->status == 100);
  BOOST_REQUIRE(connection->send("hello world"));
  auto response = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(response, connection->lastError());
  BOOST_TEST(response->status == 200);
  BOOST_TEST(response->body == "hello world");
}

BOOST_FIXTURE_TEST_CASE(hop_by_hop_headers_removed, ProxyToUpstream) {
  auto response = get(port(), "/headers",
                      "Connection: keep-alive, x-secret\r\nx-secret: 1\r\nKeep-Alive: timeout=5\r\n"
                      "x-kept: yes\r\n");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  auto seen = parseEchoedHeaders(response->body);
  BOOST_TEST(seen.count("x-kept") == 1u, "an end-to-end header must pass:\n" << response->body);
  BOOST_TEST(seen.count("x-secret") == 0u, "named in Connection:\n" << response->body);
  BOOST_TEST(seen.count("keep-alive") == 0u, "hop-by-hop:\n" << response->body);
}

BOOST_FIXTURE_TEST_CASE(forwarding_headers_and_request_id, ProxyToUpstream) {
  auto generated = get(port(), "/headers");
  BOOST_REQUIRE(generated);
  BOOST_TEST(generated->status == 200);
  BOOST_TEST(echoedHeader(*generated, "x-forwarded-for").value_or("").find("127.0.0.1") !=
                 std::string::npos,
             generated->body);
  BOOST_TEST(echoedHeader(*generated, "x-forwarded-proto").value_or("") == "http");
  // A generated id is a version-4 UUID: 8-4-4-4-12 lower-case hex, version 4, variant 10.
  const std::string id = echoedHeader(*generated, "x-request-id").value_or("");
  BOOST_TEST(
      std::regex_match(
          id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")),
      "x-request-id: " << id);
  auto another = get(port(), "/headers");
  BOOST_REQUIRE(another);
  BOOST_TEST(echoedHeader(*another, "x-request-id").value_or("") != id);

  auto kept = get(port(), "/headers", "x-request-id: given-id-42\r\n");
  BOOST_REQUIRE(kept);
  BOOST_TEST(echoedHeader(*kept, "x-request-id").value_or("") == "given-id-42");
}

BOOST_FIXTURE_TEST_CASE(unmatched_route_is_404, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("GET", "/only-here", "", "", "only.test")));
  auto matched = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(matched, connection->lastError());
  BOOST_TEST(matched->status == 200);

  BOOST_REQUIRE(connection->send(request("GET", "/elsewhere", "", "", "only.test")));
  auto response = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(response, connection->lastError());
  BOOST_TEST(response->status == 404);
}

BOOST_FIXTURE_TEST_CASE(closed_endpoint_is_503, ProxyToUpstream) {
  auto response = get(port(), "/dead");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 503);
}

BOOST_FIXTURE_TEST_CASE(malformed_requests_rejected_before_the_upstream, ProxyToUpstream) {
  // A well-formed request first, so the upstream counter is known to exist and to count.
  BOOST_REQUIRE(get(port(), "/"));
  uint64_t baseline = upstreamRequests();
  BOOST_REQUIRE_MESSAGE(baseline >= 1, "no stat ending in '" << kUpstreamRequestsStat
                                                             << "' counted the good request:\n"
                                                             << proxy.admin("/stats")->body);

  struct Case {
    const char* what;
    std::string bytes;
    int status;
    // A bad chunk arrives after a valid head, which a streaming proxy may already have
    // forwarded; only the status and the close are asserted for it.
    bool head_is_bad = true;
  };
  std::string many_headers;
  for (int i = 0; i < 150; ++i) many_headers += "x-h-" + std::to_string(i) + ": v\r\n";
  const std::vector<Case> cases = {
      {"CL+TE",
       "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       400},
      {"bad chunk size",
       "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
       "zz\r\nhello\r\n0\r\n\r\n",
       400, false},
      {"TE gzip", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"missing Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nx-folded: one\r\n two\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost: a\r\nx-bad : v\r\n\r\n", 400},
      {"huge request line", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
      {"too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + many_headers + "\r\n", 431},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      uint64_t before = upstreamRequests();
      auto connection = HttpConnection::open(port());
      BOOST_REQUIRE(connection);
      BOOST_REQUIRE(connection->send(c.bytes));
      auto response = connection->readResponse();
      BOOST_TEST_REQUIRE(response.has_value(), "no response: " << connection->lastError());
      BOOST_TEST(response->status == c.status);
      BOOST_TEST(connection->waitForClose(), "the connection must be closed");
      if (c.head_is_bad) BOOST_TEST(upstreamRequests() == before, "reached the upstream");
    }
  }
}

BOOST_FIXTURE_TEST_CASE(incomplete_head_times_out_with_408, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  auto start = steady_clock::now();
  BOOST_REQUIRE(connection->send("GET / HTTP/1.1\r\nHost: a\r\n"));  // no blank line: half a head
  auto response = connection->readResponse(std::chrono::milliseconds(5000));
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
  BOOST_REQUIRE_MESSAGE(response, connection->lastError());
  BOOST_TEST(response->status == 408);
  BOOST_TEST(waited.count() >= 250, "header_timeout is 300ms; answered after " << waited.count());
  BOOST_TEST(waited.count() < 3000, "header_timeout is 300ms; answered after " << waited.count());
  BOOST_TEST(connection->waitForClose());
}

BOOST_FIXTURE_TEST_CASE(websocket_upgrade_then_bytes_both_ways, ProxyToUpstream) {
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("GET", "/ws",
                                         "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                         "Sec-WebSocket-Version: 13\r\n")));
  auto response = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(response, connection->lastError());
  BOOST_REQUIRE_EQUAL(response->status, 101);
  BOOST_TEST(response->header("upgrade").value_or("") == "websocket");
  for (const std::string& message :
       std::vector<std::string>{"first bytes", std::string(100000, 'w'), "last"}) {
    BOOST_REQUIRE(connection->send(message));
    std::string echoed;
    BOOST_REQUIRE_MESSAGE(connection->readExactly(message.size(), &echoed),
                          connection->lastError());
    BOOST_TEST((echoed == message));
  }
  // Closing the client side ends the tunnel: the proxy must not keep the connection open.
  connection.reset();
  BOOST_TEST(eventually([&] { return proxy.stat(kDownstreamActive).value_or(1) == 0; },
                        std::chrono::milliseconds(1000)),
             "the tunnel outlived the client's close: "
                 << kDownstreamActive << " stays " << proxy.stat(kDownstreamActive).value_or(1));
}

// The two slow ones together: 1 GiB each way, read and written as fast as the test can, while
// the proxy's resident memory must stay flat (bodies stream; nothing is buffered whole).
BOOST_FIXTURE_TEST_CASE(one_gib_download_and_upload_in_bounded_memory, ProxyWithoutQuarantine,
                        *boost::unit_test::label("slow")) {
  constexpr uint64_t kSize = uint64_t{1} << 30;
  constexpr uint64_t kMaxGrowth = 32u << 20;
  constexpr uint64_t kSampleEvery = 16u << 20;
  const pid_t pid = proxy.process().pid();
  BOOST_REQUIRE(get(port(), "/"));  // warm the worker and its pool
  BOOST_REQUIRE(residentBytes(pid).has_value());

  // Download.
  {
    uint64_t baseline = residentBytes(pid).value_or(0);
    uint64_t peak = baseline;
    uint64_t next_sample = 0;
    ReadOptions options;
    options.discard_body = true;
    options.progress = [&](uint64_t bytes) {
      if (bytes < next_sample) return;
      next_sample = bytes + kSampleEvery;
      peak = std::max(peak, residentBytes(pid).value_or(0));
    };
    auto connection = HttpConnection::open(port());
    BOOST_REQUIRE(connection);
    auto start = steady_clock::now();
    BOOST_REQUIRE(connection->send(request("GET", "/bytes/" + std::to_string(kSize))));
    auto response = connection->readResponse(std::chrono::milliseconds(90000), options);
    auto took = std::chrono::duration<double>(steady_clock::now() - start).count();
    BOOST_REQUIRE_MESSAGE(response, connection->lastError());
    BOOST_TEST(response->status == 200);
    BOOST_TEST(response->body_bytes == kSize);
    BOOST_TEST(peak - baseline < kMaxGrowth,
               "download: proxy RSS grew by " << (peak - baseline) / 1024 << " KiB");
    BOOST_TEST_MESSAGE("1 GiB download: " << took << " s, proxy RSS +" << (peak - baseline) / 1024
                                          << " KiB");
  }

  // Upload.
  {
    uint64_t baseline = residentBytes(pid).value_or(0);
    uint64_t peak = baseline;
    auto connection = HttpConnection::open(port());
    BOOST_REQUIRE(connection);
    auto start = steady_clock::now();
    BOOST_REQUIRE(connection->send(
        request("POST", "/sink", "Content-Length: " + std::to_string(kSize) + "\r\n")));
    const std::string block(4u << 20, 'u');
    uint64_t sent = 0;
    uint64_t next_sample = 0;
    while (sent < kSize) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(block.size(), kSize - sent));
      BOOST_REQUIRE_MESSAGE(
          connection->send(std::string_view(block).substr(0, n), std::chrono::milliseconds(10000)),
          "after " << sent << " bytes: " << connection->lastError());
      sent += n;
      if (sent >= next_sample) {
        next_sample = sent + kSampleEvery;
        peak = std::max(peak, residentBytes(pid).value_or(0));
      }
    }
    auto response = connection->readResponse(std::chrono::milliseconds(60000));
    auto took = std::chrono::duration<double>(steady_clock::now() - start).count();
    peak = std::max(peak, residentBytes(pid).value_or(0));
    BOOST_REQUIRE_MESSAGE(response, connection->lastError());
    BOOST_TEST(response->status == 200);
    BOOST_TEST(response->body.find(std::to_string(kSize)) != std::string::npos,
               "the upstream counted: " << response->body);
    BOOST_TEST(peak - baseline < kMaxGrowth,
               "upload: proxy RSS grew by " << (peak - baseline) / 1024 << " KiB");
    BOOST_TEST_MESSAGE("1 GiB upload: " << took << " s, proxy RSS +" << (peak - baseline) / 1024
                                        << " KiB");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
