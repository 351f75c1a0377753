// Http1ServerCodec on a real socket pair: pipelined requests are decoded one at a time and answered
// in order, bodies are framed as the response asks (Content-Length, chunked, HEAD, HTTP/1.0), a
// malformed request is answered and closes, and hop-by-hop fields never reach the stream.
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "core/event/event_loop.h"
#include "core/http/http1_server_codec.h"
#include "core/network/connection.h"

namespace weft::http {
namespace {

// Records what the codec decodes; a test answers through the encoder it was handed.
struct Recorder : Http1ServerCallbacks, RequestDecoder {
  std::vector<std::string> events;
  ResponseEncoder* encoder = nullptr;
  HeaderMap last_headers;

  RequestDecoder& newStream(ResponseEncoder& e, const StreamStart&) override {
    encoder = &e;
    return *this;
  }
  void onParseError(http1::ParseError error) override {
    events.push_back("error:" + std::string(http1::nameOf(error)));
  }
  void onStreamComplete(RequestDecoder&) override { events.push_back("complete"); }
  void onStreamReset(RequestDecoder&) override { events.push_back("reset"); }
  void closeSoon() override { events.push_back("close"); }
  void onResponseDrained() override {}
  void decodeHeaders(HeaderMap&& headers, bool end) override {
    events.push_back("headers:" + *headers.get(":path") + (end ? ":end" : ""));
    last_headers = std::move(headers);
  }
  void decodeData(evbuffer* data, bool end) override {
    size_t n = evbuffer_get_length(data);
    evbuffer_drain(data, n);
    events.push_back("data:" + std::to_string(n) + (end ? ":end" : ""));
  }
  void decodeTrailers(HeaderMap&&) override { events.push_back("trailers"); }
};

struct NoCallbacks : network::ConnectionCallbacks {
  void onReadable() override {}
  void onRemoteClose() override {}
  void onConnectionError() override {}
};

// The codec's side of a socket pair; the test plays the client on the other side.
struct Harness {
  Harness() {
    BOOST_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
    connection = std::make_unique<network::Connection>(loop.base(), fds[0], callbacks,
                                                       network::Connection::Watermarks{});
    codec = std::make_unique<Http1ServerCodec>(*connection, recorder, limits);
  }
  ~Harness() {
    codec.reset();
    connection.reset();  // closes fds[0]
    close(fds[1]);
  }

  void feed(const std::string& bytes) {
    evbuffer_add(connection->input(), bytes.data(), bytes.size());
    codec->dispatch(connection->input());
  }
  // What the codec wrote, as the client reads it.
  std::string output() {
    size_t n = evbuffer_get_length(connection->output());
    if (n == 0) return {};
    std::string out(reinterpret_cast<char*>(evbuffer_pullup(connection->output(), -1)), n);
    evbuffer_drain(connection->output(), n);
    return out;
  }
  void respond(int status, const std::string& body, bool content_length = true) {
    HeaderMap headers;
    headers.add(":status", std::to_string(status));
    if (content_length) headers.add("content-length", std::to_string(body.size()));
    recorder.encoder->encodeHeaders(headers, body.empty() && content_length);
    if (!body.empty() || !content_length) {
      auto buffer = event::newBuffer();
      evbuffer_add(buffer.get(), body.data(), body.size());
      recorder.encoder->encodeData(buffer.get(), true);
    }
  }

  event::EventLoop loop;
  int fds[2] = {-1, -1};
  NoCallbacks callbacks;
  Recorder recorder;
  http1::Limits limits;
  std::unique_ptr<network::Connection> connection;
  std::unique_ptr<Http1ServerCodec> codec;
};

using Events = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(http1_server_codec)

BOOST_AUTO_TEST_CASE(pipelined_requests_wait_for_the_previous_response) {
  Harness h;
  h.feed("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n");
  BOOST_TEST((h.recorder.events == Events{"headers:/one:end"}));  // /two waits in the buffer

  h.respond(200, "first");
  BOOST_TEST((h.recorder.events == Events{"headers:/one:end", "complete"}));
  BOOST_TEST(h.output() == "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst");

  h.codec->dispatch(h.connection->input());  // the connection manager does this next
  BOOST_TEST(h.recorder.events.back() == "headers:/two:end");
  h.respond(204, "");
  BOOST_TEST(h.output() == "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n");
  BOOST_TEST(!h.codec->closeAfterFlush());
}

BOOST_AUTO_TEST_CASE(chunked_request_bodies_and_trailers_are_decoded) {
  Harness h;
  h.feed("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
  h.feed("lo\r\n0\r\nx-sum: 1\r\n\r\n");
  BOOST_TEST((h.recorder.events == Events{"headers:/up", "data:3", "data:2", "trailers"}));
}

BOOST_AUTO_TEST_CASE(unknown_length_responses_are_chunked_for_http11_and_close_for_http10) {
  {
    Harness h;
    h.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    h.respond(200, "abc", /*content_length=*/false);
    BOOST_TEST(h.output() ==
               "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    BOOST_TEST(!h.codec->closeAfterFlush());
  }
  {
    Harness h;
    h.feed("GET / HTTP/1.0\r\n\r\n");
    h.respond(200, "abc", /*content_length=*/false);
    BOOST_TEST(h.output() == "HTTP/1.0 200 OK\r\nconnection: close\r\n\r\nabc");
    BOOST_TEST(h.codec->closeAfterFlush());
  }
}

BOOST_AUTO_TEST_CASE(head_responses_carry_no_body) {
  Harness h;
  h.feed("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n");
  h.respond(200, "ignored");
  BOOST_TEST(h.output() == "HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_answered_and_close) {
  Harness h;
  h.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
  BOOST_TEST((h.recorder.events == Events{"error:content_length_and_transfer_encoding"}));
  std::string out = h.output();
  BOOST_TEST(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0, out);
  BOOST_TEST(out.find("connection: close\r\n") != std::string::npos, out);
  BOOST_TEST(h.codec->closeAfterFlush());
}

BOOST_AUTO_TEST_CASE(hop_by_hop_fields_do_not_reach_the_stream) {
  Harness h;
  h.feed(
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, x-secret\r\nx-secret: 1\r\n"
      "Keep-Alive: timeout=5\r\nTE: trailers\r\nx-kept: 2\r\n\r\n");
  const HeaderMap& seen = h.recorder.last_headers;
  BOOST_TEST(!seen.has("connection"));
  BOOST_TEST(!seen.has("x-secret"));
  BOOST_TEST(!seen.has("keep-alive"));
  BOOST_TEST(!seen.has("te"));
  BOOST_TEST(*seen.get("x-kept") == "2");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::http
