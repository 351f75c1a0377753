// HTTP/2 through the real weft-proxy with real HTTP/2 clients (curl, h2load, nghttp from Debian's
// curl and nghttp2-client): h2c with prior knowledge downstream, h2c upstream (a second
// weft-proxy serves as the HTTP/2 origin in front of weft-test-upstream), every mix of HTTP/1.1
// and HTTP/2 on either side, streamed bodies, trailers both ways, multiplexing onto few upstream
// connections.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {
namespace {

std::string url(uint16_t port, std::string_view path) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

ProgramRun curlH2(uint16_t port, std::string_view path, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "--http2-prior-knowledge", "-i"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url(port, path));
  return runProgram(std::move(argv));
}

// A file of `size` pattern bytes in `dir`; its path.
std::string patternFile(const TempDir& dir, size_t size) {
  std::string path = dir.path() + "/body.bin";
  std::ofstream out(path, std::ios::binary);
  for (size_t i = 0; i < size; ++i) out.put(static_cast<char>((i * 7 + i / 4096) & 0xff));
  return path;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// weft-test-upstream behind one proxy.
struct H2Proxy {
  H2Proxy() : proxy(yaml(upstream.port())) {}
  static std::string yaml(uint16_t upstream_port) {
    HttpBootstrap spec;
    spec.upstream_port = upstream_port;
    return httpBootstrapYaml(spec);
  }
  uint16_t port() const { return proxy.port(); }
  Upstream upstream{"alpha"};
  Proxy proxy;
};

// client → outer proxy ══h2c══ inner proxy → weft-test-upstream (HTTP/1.1). The outer proxy's
// "backend" cluster speaks HTTP/2 to the inner one, which tells h2c from HTTP/1 by the preface.
struct H2Chain {
  H2Chain() : inner(H2Proxy::yaml(upstream.port())), outer(outerYaml(inner.port())) {}
  static std::string outerYaml(uint16_t inner_port) {
    HttpBootstrap spec;
    spec.upstream_port = inner_port;
    spec.backend_protocol = "http2";
    return httpBootstrapYaml(spec);
  }
  uint16_t port() const { return outer.port(); }
  uint64_t upstreamConnections() const { return outer.statSum("upstream_cx_total"); }
  Upstream upstream{"alpha"};
  Proxy inner;
  Proxy outer;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http2_proxy)

BOOST_FIXTURE_TEST_CASE(h2c_prior_knowledge_request_is_proxied, H2Proxy) {
  ProgramRun result = curlH2(port(), "/headers", {"-H", "x-probe: 1"});
  BOOST_REQUIRE_MESSAGE(result.status == 0, result.err);
  BOOST_TEST(result.out.starts_with("HTTP/2 200"), result.out);
  // What the HTTP/1 upstream saw: :authority became Host, forwarding fields were added.
  BOOST_TEST(result.out.find("host: 127.0.0.1:" + std::to_string(port())) != std::string::npos);
  BOOST_TEST(result.out.find("x-probe: 1") != std::string::npos);
  BOOST_TEST(result.out.find("x-forwarded-proto: http") != std::string::npos);
  BOOST_TEST(proxy.stat("listener.ingress.downstream_rq_2xx").value_or(0) == 1u);
}

BOOST_FIXTURE_TEST_CASE(h2_request_and_response_bodies_stream, H2Proxy) {
  TempDir dir;
  std::string body_path = patternFile(dir, 6 * 1024 * 1024 + 123);
  std::string out_path = dir.path() + "/out.bin";
  ProgramRun result = runProgram({"/usr/bin/curl", "-sS", "--http2-prior-knowledge",
                                  "--data-binary", "@" + body_path, "-o", out_path, "-w",
                                  "%{http_code} %{http_version}", url(port(), "/echo")});
  BOOST_REQUIRE_MESSAGE(result.status == 0, result.err);
  BOOST_TEST(result.out == "200 2");
  BOOST_TEST((readFile(out_path) == readFile(body_path)));

  ProgramRun big =
      runProgram({"/usr/bin/curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
                  "%{http_code} %{size_download}", url(port(), "/bytes/50000000")});
  BOOST_REQUIRE_MESSAGE(big.status == 0, big.err);
  BOOST_TEST(big.out == "200 50000000");
}

BOOST_FIXTURE_TEST_CASE(many_streams_share_a_connection, H2Proxy) {
  ProgramRun result =
      runProgram({"/usr/bin/h2load", "-n", "2000", "-c", "2", "-m", "50", url(port(), "/")});
  BOOST_REQUIRE_MESSAGE(result.status == 0, result.err);
  BOOST_TEST(result.out.find("2000 succeeded, 0 failed") != std::string::npos, result.out);
  BOOST_TEST(proxy.stat("listener.ingress.downstream_cx_total").value_or(0) == 2u);
  BOOST_TEST(proxy.stat("listener.ingress.downstream_rq_2xx").value_or(0) == 2000u);
}

BOOST_FIXTURE_TEST_CASE(http2_upstream_multiplexes_requests, H2Chain) {
  ProgramRun result =
      runProgram({"/usr/bin/h2load", "-n", "3000", "-c", "4", "-m", "20", url(port(), "/")});
  BOOST_REQUIRE_MESSAGE(result.status == 0, result.err);
  BOOST_TEST(result.out.find("3000 succeeded, 0 failed") != std::string::npos, result.out);
  // Two workers, one h2 connection each to the only endpoint.
  BOOST_TEST(upstreamConnections() <= 2u);

  auto http1 = get(port(), "/");  // HTTP/1.1 downstream to an HTTP/2 upstream
  BOOST_REQUIRE(http1);
  BOOST_TEST(http1->status == 200);
  BOOST_TEST(http1->body == "hello from alpha\n");
}

BOOST_FIXTURE_TEST_CASE(bodies_cross_http2_upstreams_both_ways, H2Chain) {
  TempDir dir;
  std::string body_path = patternFile(dir, 3 * 1024 * 1024);
  std::string out_path = dir.path() + "/out.bin";
  ProgramRun h2 =
      runProgram({"/usr/bin/curl", "-sS", "--http2-prior-knowledge", "--data-binary",
                  "@" + body_path, "-o", out_path, "-w", "%{http_code}", url(port(), "/echo")});
  BOOST_REQUIRE_MESSAGE(h2.status == 0, h2.err);
  BOOST_TEST(h2.out == "200");
  BOOST_TEST((readFile(out_path) == readFile(body_path)));

  ProgramRun h1 = runProgram({"/usr/bin/curl", "-sS", "--http1.1", "--data-binary", "@" + body_path,
                              "-o", out_path, "-w", "%{http_code}", url(port(), "/echo")});
  BOOST_REQUIRE_MESSAGE(h1.status == 0, h1.err);
  BOOST_TEST(h1.out == "200");
  BOOST_TEST((readFile(out_path) == readFile(body_path)));
}

BOOST_FIXTURE_TEST_CASE(trailers_cross_http2_hops_both_ways, H2Chain) {
  // A chunked HTTP/1.1 request with a trailer: it crosses the h2c hop as an HTTP/2 trailer block,
  // the origin echoes it back as a response trailer, and that crosses back the same way.
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("POST", "/echo", "Transfer-Encoding: chunked\r\n",
                                         "5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n")));
  std::string received;
  bool complete = eventually([&] {
    std::string byte;
    while (received.find("\r\n0\r\n") == std::string::npos || !received.ends_with("\r\n\r\n")) {
      if (!connection->readExactly(1, &byte, milliseconds(100))) return false;
      received += byte;
    }
    return true;
  });
  BOOST_REQUIRE_MESSAGE(complete, received);
  BOOST_TEST(received.starts_with("HTTP/1.1 200"), received);
  BOOST_TEST(received.find("transfer-encoding: chunked") != std::string::npos, received);
  BOOST_TEST(received.find("hello") != std::string::npos, received);
  BOOST_TEST(received.ends_with("0\r\nx-checksum: abc123\r\n\r\n"), received);
}

BOOST_FIXTURE_TEST_CASE(h2_client_receives_response_trailers, H2Proxy) {
  // nghttp sends a trailer block; the HTTP/1 origin gets a chunked request (an HTTP/2 request
  // without content-length) and echoes the trailer, which reaches nghttp as HTTP/2 trailers.
  TempDir dir;
  std::string body_path = dir.path() + "/small.txt";
  std::ofstream(body_path) << "abc";
  ProgramRun result = runProgram({"/usr/bin/nghttp", "-v", "--no-content-length",
                                  "--trailer=x-sum: 42", "-d", body_path, url(port(), "/echo")});
  BOOST_REQUIRE_MESSAGE(result.status == 0, result.err + result.out);
  BOOST_TEST(result.out.find("recv (stream_id=13) :status: 200") != std::string::npos, result.out);
  // The trailer comes back in a HEADERS frame of its own, after the body.
  size_t data = result.out.find("recv DATA frame");
  size_t trailer = result.out.find("recv (stream_id=13) x-sum: 42");
  BOOST_TEST(data != std::string::npos, result.out);
  BOOST_TEST((trailer != std::string::npos && trailer > data), result.out);
}

BOOST_AUTO_TEST_CASE(keepalive_ping_closes_a_silent_connection) {
  Upstream upstream("alpha");
  HttpBootstrap spec;
  spec.upstream_port = upstream.port();
  spec.listener_yaml = "    http2: { keepalive_interval: 200ms, keepalive_timeout: 300ms }\n";
  Proxy proxy(httpBootstrapYaml(spec));
  // A peer that sends the preface and its SETTINGS, then never answers anything (not even PING).
  auto silent = HttpConnection::open(proxy.port());
  BOOST_REQUIRE(silent);
  BOOST_REQUIRE(silent->send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") +
                             std::string("\0\0\0\x04\0\0\0\0\0", 9)));
  BOOST_TEST(silent->waitForClose(milliseconds(3000)));
  BOOST_TEST(proxy.stat("http2.listener.ingress.keepalive_timeout").value_or(0) == 1u);

  // A live client answers the PINGs and keeps its connection across several intervals.
  ProgramRun live = runProgram({"/usr/bin/nghttp", "-n", url(proxy.port(), "/delay/900")});
  BOOST_TEST(live.status == 0, live.err);
  BOOST_TEST(proxy.stat("http2.listener.ingress.keepalive_timeout").value_or(0) == 1u);
}

BOOST_AUTO_TEST_CASE(filters_see_http2_and_http1_requests_alike) {
  Upstream upstream("alpha");
  HttpBootstrap spec;
  spec.upstream_port = upstream.port();
  spec.filters = {{"describe", std::string(WEFT_TEST_PLUGIN_DIR) + "/describe_request.so", ""}};
  Proxy proxy(httpBootstrapYaml(spec));
  std::string authority = "127.0.0.1:" + std::to_string(proxy.port());

  ProgramRun h2 = curlH2(proxy.port(), "/headers?q=1");
  BOOST_REQUIRE_MESSAGE(h2.status == 0, h2.err);
  BOOST_TEST(h2.out.find("x-weft-saw: GET http " + authority + " /headers?q=1 HTTP/2") !=
                 std::string::npos,
             h2.out);
  BOOST_TEST(h2.out.find("x-weft-saw-status: 200") != std::string::npos, h2.out);

  auto h1 = get(proxy.port(), "/headers?q=1");  // Host: localhost
  BOOST_REQUIRE(h1);
  BOOST_TEST(echoedHeader(*h1, "x-weft-saw").value_or("") ==
             "GET http localhost /headers?q=1 HTTP/1.1");
  BOOST_TEST(h1->header("x-weft-saw-status").value_or("") == "200");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
