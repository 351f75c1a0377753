// The HTTP/2 listener's defences, through the real weft-proxy (h2c with prior knowledge) in front
// of a real weft-test-upstream: each test attacks over a real socket, checks what the proxy said
// on the wire (statuses, RST_STREAM and GOAWAY codes, closes) and the http2.* counter that
// records it. Attacks are built frame by frame (Http2Client::sendRaw) where a conforming library
// would refuse to send them. Also: GOAWAY on drain and reload, how a client's RST_STREAM and an
// upstream's hang-up cross the proxy (against a ScriptedOrigin), and flow control that keeps a
// stalled client's response out of the proxy's memory.
#include <signal.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/integration/http2_client.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/integration/scripted_origin.h"

namespace weft::itest {
namespace {

constexpr std::string_view kHello = "hello from alpha\n";

Http2Request get(std::string path) {
  Http2Request request;
  request.path = std::move(path);
  return request;
}

// HEADERS for a GET of `path` on raw stream `id`, as literal fields.
std::string rawGet(int32_t id, std::string_view path) {
  return h2::headerBlockFrames(id, h2::literalBlock(h2::requestFields("GET", path)), true);
}

Http2Client::Options rawMode() {
  Http2Client::Options options;
  options.raw = true;
  return options;
}

// A raw connection's opening: the preface and an empty SETTINGS frame.
std::string rawOpening() { return std::string(h2::kClientPreface) + h2::settingsFrame({}); }

// The backend weft-test-upstream "alpha"; paths under /origin/ go to a ScriptedOrigin.
std::string bootstrap(uint16_t upstream_port, uint16_t origin_port) {
  HttpBootstrap spec;
  spec.upstream_port = upstream_port;
  spec.extra_routes =
      "          - match: { prefix: /origin/ }\n"
      "            cluster: origin\n";
  spec.extra_clusters =
      "  - name: origin\n"
      "    connect_timeout: 1s\n"
      "    endpoints: [ { address: 127.0.0.1, port: " +
      std::to_string(origin_port) + " } ]\n";
  return httpBootstrapYaml(spec);
}

struct H2Proxy {
  explicit H2Proxy(std::vector<std::string> proxy_env = {})
      : yaml(bootstrap(upstream.port(), origin.port())), proxy(yaml, {}, std::move(proxy_env)) {}

  uint16_t port() const { return proxy.port(); }
  // A counter of the listener's HTTP/2 connections, e.g. "header_overflow".
  uint64_t h2Stat(std::string_view name) const {
    return proxy.stat("http2.listener.ingress." + std::string(name)).value_or(0);
  }
  uint64_t stat(std::string_view name) const { return proxy.stat(name).value_or(0); }

  std::unique_ptr<Http2Client> connect(const Http2Client::Options& options = {}) const {
    auto client = Http2Client::connect(port(), options);
    BOOST_REQUIRE_MESSAGE(client, "cannot connect to the proxy");
    return client;
  }

  // A well-behaved request on `client`, answered by alpha.
  static void expectServed(Http2Client& client, const std::string& path = "/") {
    int32_t id = client.submit(get(path));
    BOOST_REQUIRE(id > 0);
    BOOST_REQUIRE_MESSAGE(client.waitForStream(id), "stream " << id << ": " << client.lastError());
    BOOST_TEST(client.stream(id).status == 200);
    BOOST_TEST(client.stream(id).ended);
    BOOST_TEST(client.stream(id).body == kHello);
  }
  // The proxy still serves HTTP/2 on a new connection.
  void expectStillServing() const {
    auto client = connect();
    expectServed(*client);
  }

  ScriptedOrigin origin;
  Upstream upstream{"alpha"};
  std::string yaml;
  Proxy proxy;
};

// For memory measurements (see asanQuarantineOff).
struct H2ProxyWithoutQuarantine : H2Proxy {
  H2ProxyWithoutQuarantine() : H2Proxy({asanQuarantineOff()}) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http2_defences)

// ---- 1. header blocks over max_header_bytes (60 KiB) --------------------------------------------

BOOST_FIXTURE_TEST_CASE(oversized_header_block_gets_431_and_the_connection_serves_on, H2Proxy) {
  Http2Client::Options options;
  options.max_send_header_block = 1 << 20;
  auto client = connect(options);
  // Small fields nghttp2 adds to its HPACK table, then 80 KiB of big ones.
  h2::Fields small = {{"x-small-1", "kept"}, {"x-small-2", "kept"}};
  Http2Request big = get("/headers");
  big.headers = small;
  for (int i = 0; i < 20; ++i)
    big.headers.emplace_back("x-big-" + std::to_string(i), std::string(4096, 'v'));
  int32_t id = client->submit(big);
  BOOST_REQUIRE(id > 0);
  BOOST_REQUIRE_MESSAGE(client->waitForStream(id), client->lastError());
  BOOST_TEST(client->stream(id).status == 431);
  BOOST_TEST(client->stream(id).ended);

  // The next request refers to the small fields by index: it decodes right only if the proxy
  // kept decoding the oversized block.
  Http2Request next = get("/headers");
  next.headers = small;
  int32_t next_id = client->submit(next);
  BOOST_REQUIRE_MESSAGE(client->waitForStream(next_id), client->lastError());
  BOOST_TEST(client->stream(next_id).status == 200);
  BOOST_TEST(client->stream(next_id).body.find("x-small-2: kept\n") != std::string::npos,
             client->stream(next_id).body);
  BOOST_TEST(!client->goaway());
  BOOST_TEST(h2Stat("header_overflow") == 1u);
  BOOST_TEST(stat("cluster.backend.upstream_rq_total") == 1u, "the 431 reached the upstream");
}

BOOST_FIXTURE_TEST_CASE(hpack_bomb_gets_431_and_the_connection_serves_on, H2Proxy) {
  auto client = connect(rawMode());
  // One 4000-byte value in the dynamic table, referenced 2000 times: 8 MB decoded.
  std::string bomb = h2::hpackBombBlock(h2::requestFields("GET", "/"), 4000, 2000);
  BOOST_REQUIRE(bomb.size() < 8 * 1024);
  client->sendRaw(rawOpening() + h2::headerBlockFrames(1, bomb, /*end_stream=*/true));
  BOOST_REQUIRE_MESSAGE(client->waitForStream(1), client->lastError());
  BOOST_TEST(client->stream(1).status == 431);
  BOOST_TEST(client->stream(1).ended);

  // The bomb's entry stays in the proxy's HPACK table: a request referring to it once is fine.
  std::string once = h2::literalBlock(h2::requestFields("GET", "/headers")) + h2::indexedField(62);
  client->sendRaw(h2::headerBlockFrames(3, once, /*end_stream=*/true));
  BOOST_REQUIRE_MESSAGE(client->waitForStream(3), client->lastError());
  BOOST_TEST(client->stream(3).status == 200);
  BOOST_TEST(client->stream(3).body.find("x-bomb: " + std::string(4000, 'b') + "\n") !=
             std::string::npos);
  BOOST_TEST(!client->goaway());
  BOOST_TEST(h2Stat("header_overflow") == 1u);
  BOOST_TEST(stat("cluster.backend.upstream_rq_total") == 1u, "the bomb reached the upstream");
}

// ---- 2. rapid reset (CVE-2023-44487) ------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(rapid_reset_gets_goaway_enhance_your_calm, H2Proxy) {
  auto client = connect();
  constexpr int kAttempts = 300;
  int opened = 0;
  while (opened < kAttempts && !client->goaway() && !client->peerClosed()) {
    int32_t id = client->submit(get("/delay/1000"));
    if (id < 0) break;  // the session saw the GOAWAY
    client->reset(id, NGHTTP2_CANCEL);
    if (++opened % 20 == 0) client->flush();
  }
  BOOST_REQUIRE_MESSAGE(client->waitForGoAway(),
                        "no GOAWAY after " << opened << " resets: " << client->lastError());
  BOOST_TEST(client->goaway()->error_code == NGHTTP2_ENHANCE_YOUR_CALM);
  BOOST_TEST(client->waitForClose(), "the connection stays open after the GOAWAY");
  // The proxy stopped at about the 100th reset (stream 199), not at the last stream sent.
  BOOST_TEST(client->goaway()->last_stream_id < 2 * opened - 1);
  BOOST_TEST(h2Stat("rapid_reset_close") == 1u);
  BOOST_TEST(h2Stat("premature_reset") >= 100u);
  BOOST_TEST(stat("cluster.backend.upstream_rq_total") <= 100u);
  BOOST_TEST_MESSAGE("rapid reset: " << opened << " streams reset, GOAWAY at stream "
                                     << client->goaway()->last_stream_id << ", "
                                     << h2Stat("premature_reset") << " counted premature");
  expectStillServing();
}

BOOST_FIXTURE_TEST_CASE(a_client_resetting_a_few_streams_is_not_punished, H2Proxy) {
  auto client = connect();
  std::vector<int32_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(client->submit(get("/delay/200")));
  for (int i : {0, 4, 8}) client->reset(ids[i], NGHTTP2_CANCEL);
  for (int i = 0; i < 10; ++i) {
    if (i % 4 == 0) continue;
    BOOST_REQUIRE_MESSAGE(client->waitForStream(ids[i]), client->lastError());
    BOOST_TEST(client->stream(ids[i]).status == 200);
  }
  for (int i = 0; i < 20; ++i) expectServed(*client);
  BOOST_TEST(!client->goaway());
  BOOST_TEST(!client->peerClosed());
  BOOST_TEST(h2Stat("premature_reset") == 3u);
  BOOST_TEST(h2Stat("rx_reset") == 3u);
  BOOST_TEST(h2Stat("rapid_reset_close") == 0u);
}

// ---- 3. CONTINUATION floods ---------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(continuation_flood_gets_goaway_and_close, H2Proxy) {
  // Fields in CONTINUATION after CONTINUATION, END_HEADERS never set.
  {
    auto client = connect(rawMode());
    std::string attack =
        rawOpening() + h2::headersFrame(1, h2::literalBlock(h2::requestFields("GET", "/")),
                                        NGHTTP2_FLAG_END_STREAM);
    for (int i = 0; i < 1000; ++i) {
      attack += h2::continuationFrame(
          1, h2::literalBlock({{"x-more-" + std::to_string(i), std::string(64, 'c')}}), false);
    }
    client->sendRaw(attack);
    BOOST_REQUIRE_MESSAGE(client->waitForGoAway(), client->lastError());
    BOOST_TEST(client->goaway()->error_code != NGHTTP2_NO_ERROR);
    BOOST_TEST(client->goaway()->error_code == NGHTTP2_ENHANCE_YOUR_CALM);
    BOOST_TEST(client->waitForClose());
    BOOST_TEST(h2Stat("continuation_flood") == 1u);
  }
  // An endless sequence of empty CONTINUATION frames.
  {
    auto client = connect(rawMode());
    std::string attack =
        rawOpening() + h2::headersFrame(1, h2::literalBlock(h2::requestFields("GET", "/")),
                                        NGHTTP2_FLAG_END_STREAM);
    for (int i = 0; i < 10000; ++i) attack += h2::continuationFrame(1, "", false);
    client->sendRaw(attack);
    BOOST_REQUIRE_MESSAGE(client->waitForGoAway(), client->lastError());
    BOOST_TEST(client->goaway()->error_code == NGHTTP2_ENHANCE_YOUR_CALM);
    BOOST_TEST(client->waitForClose());
    BOOST_TEST(h2Stat("continuation_flood") == 2u);
  }
  BOOST_TEST(stat("cluster.backend.upstream_rq_total") == 0u);
  expectStillServing();
}

// PINGs from a client that never reads their ACKs: nghttp2 stops at 1000 queued ACKs.
BOOST_FIXTURE_TEST_CASE(ping_flood_gets_goaway_and_close, H2Proxy) {
  auto client = connect(rawMode());
  client->stopReading(true);
  client->sendRaw(rawOpening());
  std::string pings;
  for (int i = 0; i < 10000; ++i) pings += h2::pingFrame();
  int batches = 0;
  for (; batches < 300 && h2Stat("flood") == 0; ++batches) {
    client->sendRaw(pings);
    if (!client->flush(std::chrono::milliseconds(2000))) break;
  }
  BOOST_TEST_MESSAGE("ping flood: " << batches << " batches of 10000 PINGs");
  client->stopReading(false);
  BOOST_REQUIRE_MESSAGE(client->waitForGoAway(std::chrono::milliseconds(20000)),
                        client->lastError());
  BOOST_TEST(client->goaway()->error_code == NGHTTP2_ENHANCE_YOUR_CALM);
  BOOST_TEST(client->waitForClose());
  BOOST_TEST(h2Stat("flood") == 1u);
  expectStillServing();
}

// ---- 4. more streams than SETTINGS_MAX_CONCURRENT_STREAMS ---------------------------------------

// 120 requests to a slow endpoint at once: the first 100 are served, the other 20 refused.
void expectExcessStreamsRefused(Http2Client& client, int32_t first) {
  constexpr int kStreams = 120;
  constexpr int kLimit = 100;
  BOOST_REQUIRE_MESSAGE(client.flush(), client.lastError());
  auto id = [first](int i) { return first + 2 * i; };
  BOOST_REQUIRE_MESSAGE(client.runUntil(
                            [&] {
                              for (int i = 0; i < kStreams; ++i) {
                                if (!client.stream(id(i)).done()) return false;
                              }
                              return true;
                            },
                            std::chrono::milliseconds(15000)),
                        client.lastError());
  BOOST_TEST(client.wire().setting(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS).value_or(0) ==
             static_cast<uint32_t>(kLimit));
  int served = 0, refused = 0;
  for (int i = 0; i < kStreams; ++i) {
    const h2::StreamResult& result = client.stream(id(i));
    if (result.status == 200 && result.ended) ++served;
    if (result.reset == NGHTTP2_REFUSED_STREAM) ++refused;
    if (i < kLimit) BOOST_TEST(result.status == 200, "stream " << id(i) << " was not served");
  }
  BOOST_TEST(served == kLimit);
  BOOST_TEST(refused == kStreams - kLimit);
  BOOST_TEST(!client.goaway());
}

std::string slowRequests(int32_t first, int count) {
  std::string frames;
  for (int i = 0; i < count; ++i) frames += rawGet(first + 2 * i, "/delay/300");
  return frames;
}

BOOST_FIXTURE_TEST_CASE(streams_over_the_limit_are_refused_before_settings_ack, H2Proxy) {
  // All 120 HEADERS arrive before the client has acknowledged the proxy's SETTINGS.
  auto client = connect(rawMode());
  client->sendRaw(rawOpening() + slowRequests(1, 120));
  expectExcessStreamsRefused(*client, 1);
  BOOST_TEST(h2Stat("streams_refused") == 20u);
  BOOST_TEST(stat("cluster.backend.upstream_rq_total") == 100u);
}

BOOST_FIXTURE_TEST_CASE(streams_over_the_acknowledged_limit_end_the_connection, H2Proxy) {
  // A client that has acknowledged SETTINGS_MAX_CONCURRENT_STREAMS and still opens 120: nghttp2
  // treats that as a connection error (stricter than RFC 9113 §5.1.2, which asks for a stream
  // error; nghttp2 has no option for it). The proxy says so with GOAWAY(PROTOCOL_ERROR), closes,
  // and counts it; the client broke a limit it had agreed to.
  auto client = connect(rawMode());
  client->sendRaw(rawOpening());
  BOOST_REQUIRE_MESSAGE(
      client->runUntil([&] { return client->wire().count(NGHTTP2_SETTINGS) > 0; }),
      client->lastError());
  client->sendRaw(h2::frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "") + slowRequests(1, 120));
  BOOST_REQUIRE_MESSAGE(client->waitForGoAway(), client->lastError());
  BOOST_TEST(client->goaway()->error_code == static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  BOOST_TEST(client->waitForClose());
  BOOST_TEST(h2Stat("protocol_error") == 1u);
}

// ---- 5. malformed frames ------------------------------------------------------------------------

// Sends `attack` on a raw connection: GOAWAY(`code`) and a close must follow.
void expectGoAwayAndClose(const H2Proxy& proxy, const std::string& attack, uint32_t code) {
  auto client = proxy.connect(rawMode());
  client->sendRaw(attack);
  BOOST_REQUIRE_MESSAGE(client->waitForGoAway(), client->lastError());
  BOOST_TEST(client->goaway()->error_code == code);
  BOOST_TEST(client->waitForClose());
}

BOOST_FIXTURE_TEST_CASE(malformed_frames_get_goaway_and_close, H2Proxy) {
  // SETTINGS whose length is not a multiple of 6.
  expectGoAwayAndClose(*this, rawOpening() + h2::frame(NGHTTP2_SETTINGS, 0, 0, "12345"),
                       NGHTTP2_FRAME_SIZE_ERROR);
  // DATA on stream 0.
  expectGoAwayAndClose(*this, rawOpening() + h2::dataFrame(0, "data", false),
                       NGHTTP2_PROTOCOL_ERROR);
  // A preface followed by something other than SETTINGS.
  expectGoAwayAndClose(*this, std::string(h2::kClientPreface) + h2::pingFrame(),
                       NGHTTP2_PROTOCOL_ERROR);
  BOOST_TEST(h2Stat("goaway_sent") == 3u);
  BOOST_TEST(h2Stat("protocol_error") == 3u);
  expectStillServing();
}

BOOST_FIXTURE_TEST_CASE(a_bad_preface_is_not_taken_for_http2, H2Proxy) {
  // Not the HTTP/2 preface: the listener treats the bytes as HTTP/1, which rejects them.
  auto connection = HttpConnection::open(port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"));
  auto response = connection->readResponse();
  BOOST_REQUIRE_MESSAGE(response, connection->lastError());
  BOOST_TEST(response->status == 505);  // "PRI * HTTP/2.0" is a request line of HTTP/2.0
  BOOST_TEST(connection->waitForClose());
  BOOST_TEST(stat("listener.ingress.kind.unsupported_version.http1_parse_error") == 1u);
  BOOST_TEST(h2Stat("goaway_sent") == 0u);
  expectStillServing();
}

// ---- 6. GOAWAY on drain and reload --------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(sigterm_sends_goaway_and_in_flight_streams_finish, H2Proxy) {
  auto client = connect();
  int32_t id = client->submit(get("/delay/300"));
  BOOST_REQUIRE(client->flush());
  BOOST_REQUIRE(eventually([&] { return stat("cluster.backend.upstream_rq_active") == 1; }));
  proxy.process().signal(SIGTERM);

  BOOST_REQUIRE_MESSAGE(client->waitForGoAway(), client->lastError());
  BOOST_TEST(client->goaway()->error_code == NGHTTP2_NO_ERROR);
  BOOST_TEST(client->goaway()->last_stream_id >= id);
  BOOST_REQUIRE_MESSAGE(client->waitForStream(id), client->lastError());
  BOOST_TEST(client->stream(id).status == 200);
  BOOST_TEST(client->stream(id).body == kHello);
  BOOST_TEST(client->waitForClose());
  BOOST_TEST(proxy.process().waitExit(std::chrono::milliseconds(5000)).value_or(-1) == 0);
}

BOOST_FIXTURE_TEST_CASE(reload_sends_goaway_and_in_flight_streams_finish, H2Proxy) {
  auto client = connect();
  int32_t id = client->submit(get("/delay/300"));
  BOOST_REQUIRE(client->flush());
  BOOST_REQUIRE(eventually([&] { return stat("cluster.backend.upstream_rq_active") == 1; }));
  proxy.reload(yaml);

  BOOST_REQUIRE_MESSAGE(client->waitForGoAway(), client->lastError());
  BOOST_TEST(client->goaway()->error_code == NGHTTP2_NO_ERROR);
  BOOST_TEST(client->goaway()->last_stream_id >= id);
  BOOST_REQUIRE_MESSAGE(client->waitForStream(id), client->lastError());
  BOOST_TEST(client->stream(id).status == 200);
  BOOST_TEST(client->stream(id).body == kHello);
  BOOST_TEST(client->waitForClose(), "the connection outlived its last stream after GOAWAY");
  BOOST_TEST(stat("server.reload_success") == 1u);
  BOOST_TEST(h2Stat("goaway_sent") == 1u);
  expectStillServing();
}

// ---- 7. resets across the proxy -----------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(client_reset_abandons_the_upstream_request, H2Proxy) {
  auto client = connect();
  int32_t id = client->submit(get("/origin/slow"));
  BOOST_REQUIRE(client->flush());
  BOOST_REQUIRE(origin.accept(std::chrono::milliseconds(5000)));
  auto head = origin.readHead(std::chrono::milliseconds(5000));
  BOOST_REQUIRE(head);
  BOOST_TEST(head->starts_with("GET /origin/slow HTTP/1.1\r\n"), *head);

  client->reset(id, NGHTTP2_CANCEL);
  BOOST_REQUIRE(client->flush());
  BOOST_TEST(origin.waitForPeerClose(std::chrono::milliseconds(3000)),
             "the proxy kept the upstream request after the client's RST_STREAM");
  BOOST_TEST(eventually([&] { return stat("cluster.origin.upstream_rq_active") == 0; }));
  BOOST_TEST(stat("cluster.origin.upstream_cx_active") == 0u);
  BOOST_TEST(h2Stat("rx_reset") == 1u);
  BOOST_TEST(h2Stat("premature_reset") == 1u);
  expectServed(*client);  // the connection itself is fine
}

BOOST_FIXTURE_TEST_CASE(upstream_hang_up_mid_body_resets_the_stream, H2Proxy) {
  auto client = connect();
  int32_t id = client->submit(get("/origin/partial"));
  BOOST_REQUIRE(client->flush());
  BOOST_REQUIRE(origin.accept(std::chrono::milliseconds(5000)));
  BOOST_REQUIRE(origin.readHead(std::chrono::milliseconds(5000)));
  BOOST_REQUIRE(
      origin.send("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + std::string(1000, 'p')));
  origin.hangUp();

  BOOST_REQUIRE_MESSAGE(client->waitForStream(id), client->lastError());
  const h2::StreamResult& result = client->stream(id);
  BOOST_TEST(result.status == 200);
  BOOST_TEST(!result.ended, "a cut-off body was ended as if complete");
  BOOST_TEST(result.reset.has_value(), "no RST_STREAM for the cut-off response");
  BOOST_TEST_MESSAGE("cut-off response: " << result.body_bytes << " body bytes, then RST_STREAM("
                                          << nghttp2_http2_strerror(result.reset.value_or(0))
                                          << ")");
  BOOST_TEST(result.body_bytes <= 1000u);
  BOOST_TEST(h2Stat("tx_reset") == 1u);
  BOOST_TEST(stat("cluster.origin.upstream_cx_destroy_remote") == 1u);
  expectServed(*client);
}

// ---- 8. flow control ----------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(stalled_client_window_keeps_proxy_memory_bounded,
                        H2ProxyWithoutQuarantine) {
  constexpr uint64_t kSize = 200'000'000;
  constexpr uint32_t kWindow = 65535;
  constexpr uint64_t kMaxGrowth = 32u << 20;
  const pid_t pid = proxy.process().pid();
  expectStillServing();  // warms a worker and its upstream pool
  uint64_t baseline = residentBytes(pid).value_or(0);
  BOOST_REQUIRE(baseline > 0);
  uint64_t peak = baseline;
  auto sample = [&] { peak = std::max(peak, residentBytes(pid).value_or(0)); };

  // A 64 KiB stream window (the connection's is large, so the stream's is the one that binds),
  // filled and not returned.
  Http2Client::Options options;
  options.settings = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kWindow}};
  options.connection_window = 1 << 30;
  options.keep_bodies = false;
  auto client = connect(options);
  client->holdWindow(true);
  int32_t id = client->submit(get("/bytes/" + std::to_string(kSize)));
  BOOST_REQUIRE_MESSAGE(client->runUntil([&] { return client->stream(id).body_bytes >= kWindow; }),
                        client->lastError());
  // The upstream offers 200 MB meanwhile; watch the proxy for 1.5 s.
  const auto watch_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  client->runUntil([&] {
    sample();
    return std::chrono::steady_clock::now() >= watch_until;
  });
  BOOST_TEST(client->stream(id).body_bytes == kWindow, "the proxy sent beyond the window");
  BOOST_TEST(peak - baseline < kMaxGrowth,
             "stalled: proxy RSS grew by " << (peak - baseline) / 1024 << " KiB");

  // Reading resumes, with a bigger window: the whole body arrives, memory stays flat.
  client->holdWindow(false);
  client->setReceiveWindow(id, 16 << 20);
  uint64_t next_sample = 0;
  BOOST_REQUIRE_MESSAGE(client->runUntil(
                            [&] {
                              const h2::StreamResult& result = client->stream(id);
                              if (result.body_bytes >= next_sample) {
                                next_sample = result.body_bytes + (16u << 20);
                                sample();
                              }
                              return result.done();
                            },
                            std::chrono::milliseconds(120000)),
                        client->lastError());
  BOOST_TEST(client->stream(id).ended);
  BOOST_TEST(client->stream(id).body_bytes == kSize);
  BOOST_TEST(peak - baseline < kMaxGrowth,
             "proxy RSS grew by " << (peak - baseline) / 1024 << " KiB");
  BOOST_TEST_MESSAGE("200 MB to a client that stalled its window: proxy RSS +"
                     << (peak - baseline) / 1024 << " KiB");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
