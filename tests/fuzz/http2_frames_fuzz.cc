// libFuzzer target for the HTTP/2 server codec: the input, after the client preface, is what a
// client sends to a real Http2ServerCodec on a network::Connection over a socket pair, with a
// real event loop writing the codec's output to the other end (read and thrown away). Every
// stream is answered by a handler that varies with the stream: a small response at once, a
// 96 KiB body streamed in pieces as the connection drains (so flow-control windows and output
// backpressure matter) followed by trailers, a reset from the server, or a bodiless answer while
// the request body is refused. Then the connection is drained (GOAWAY) and closed.
// Checked: every stream ends exactly once (complete or reset), a complete stream's response was
// finished, nothing reaches a stream after its request or the stream itself ended, no stream
// starts once the connection is closed, and nothing is left behind (ASan's leak check in the
// fuzz build). A failed check aborts.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "core/event/event_loop.h"
#include "core/http/http2_server_codec.h"
#include "core/network/connection.h"
#include "core/stats/stats.h"
#include "tests/fuzz/fuzz_check.h"

namespace weft::http {
namespace {

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr size_t kOutputLimit = 16 * 1024;  // small, so output backpressure is reached
constexpr size_t kBigPiece = 32 * 1024;
constexpr int kBigPieces = 3;

// How a stream is answered: by the order streams arrive on the connection.
enum class Answer { kAtOnce, kStreamedWithTrailers, kServerReset, kRefuseBody };

void sendBody(ResponseEncoder& encoder, size_t bytes, bool end_stream) {
  event::EvbufferPtr body = event::newBuffer();
  std::vector<char> fill(bytes, 'r');
  evbuffer_add(body.get(), fill.data(), fill.size());
  encoder.encodeData(body.get(), end_stream);
}

HeaderMap responseHead(const char* status) {
  HeaderMap head;
  head.add(":status", status);
  head.add("x-fuzz", "1");
  return head;
}

// One request, as the connection manager's HttpStream would see it, and its scripted answer.
class FuzzStream : public RequestDecoder {
 public:
  FuzzStream(ResponseEncoder& encoder, Answer answer, bool expect_continue)
      : encoder_(encoder), answer_(answer), expect_continue_(expect_continue) {}

  bool responseDone() const { return response_done_; }
  // The codec reported the stream complete or reset: it must not call this stream again.
  void markEnded() { ended_ = true; }

  void decodeHeaders(HeaderMap&& headers, bool end_stream) override {
    FUZZ_CHECK(!ended_ && !headers_seen_);
    FUZZ_CHECK(headers.get(":method") != nullptr);
    headers_seen_ = true;
    request_ended_ = end_stream;
    if (expect_continue_) encoder_.encode100Continue();
    switch (answer_) {
      case Answer::kAtOnce:
        encoder_.encodeHeaders(responseHead("200"), false);
        sendBody(encoder_, 5, true);
        response_done_ = true;
        break;
      case Answer::kStreamedWithTrailers:
        if (request_ended_) startStreaming();
        break;
      case Answer::kServerReset:
        encoder_.resetStream();
        break;
      case Answer::kRefuseBody:
        encoder_.readDisable(true);
        encoder_.encodeHeaders(responseHead("204"), true);
        response_done_ = true;
        break;
    }
  }
  void decodeData(evbuffer* data, bool end_stream) override {
    FUZZ_CHECK(!ended_ && headers_seen_ && !request_ended_);
    evbuffer_drain(data, evbuffer_get_length(data));
    request_ended_ = end_stream;
    if (end_stream && answer_ == Answer::kStreamedWithTrailers) startStreaming();
  }
  void decodeTrailers(HeaderMap&&) override {
    FUZZ_CHECK(!ended_ && headers_seen_ && !request_ended_);
    request_ended_ = true;
    if (answer_ == Answer::kStreamedWithTrailers) startStreaming();
  }
  void onResponseDrained() override {
    FUZZ_CHECK(!ended_ && pieces_sent_ > 0);
    sendNextPiece();
  }

 private:
  void startStreaming() {
    encoder_.encodeHeaders(responseHead("200"), false);
    sendNextPiece();
  }
  void sendNextPiece() {
    if (pieces_sent_ == kBigPieces) return;
    sendBody(encoder_, kBigPiece, false);
    if (++pieces_sent_ < kBigPieces) {
      encoder_.watchDrain();
      return;
    }
    HeaderMap trailers;
    trailers.add("x-checksum", "0");
    encoder_.encodeTrailers(trailers);
    response_done_ = true;
  }

  ResponseEncoder& encoder_;
  Answer answer_;
  bool expect_continue_;
  bool headers_seen_ = false;
  bool request_ended_ = false;
  bool response_done_ = false;
  bool ended_ = false;
  int pieces_sent_ = 0;
};

// The connection manager's part: makes streams and checks how they end.
class Streams : public ServerCodecCallbacks {
 public:
  RequestDecoder& newStream(ResponseEncoder& encoder, const StreamStart& start) override {
    FUZZ_CHECK(!closed);
    FUZZ_CHECK(start.protocol == Protocol::kHttp2);
    auto answer = static_cast<Answer>(opened_++ % 4);
    auto stream = std::make_unique<FuzzStream>(encoder, answer, start.expect_continue);
    FuzzStream& ref = *stream;
    open_.emplace(&ref, std::move(stream));
    return ref;
  }
  void onStreamComplete(RequestDecoder& decoder) override {
    FUZZ_CHECK(static_cast<FuzzStream&>(decoder).responseDone());
    end(decoder);
  }
  void onStreamReset(RequestDecoder& decoder) override { end(decoder); }
  void closeSoon() override { close_soon = true; }

  size_t openCount() const { return open_.size(); }
  bool closed = false;  // resetAllStreams ran
  bool close_soon = false;

 private:
  // Ended streams are kept until the connection goes: the codec may still be inside a call of
  // theirs.
  void end(RequestDecoder& decoder) {
    auto it = open_.find(&decoder);
    FUZZ_CHECK(it != open_.end());
    it->second->markEnded();
    ended_.push_back(std::move(it->second));
    open_.erase(it);
  }

  uint64_t opened_ = 0;
  std::map<RequestDecoder*, std::unique_ptr<FuzzStream>> open_;
  std::vector<std::unique_ptr<FuzzStream>> ended_;
};

// Tells the codec when the connection's output drained, as the connection manager does.
class Drains : public network::ConnectionCallbacks {
 public:
  ServerCodec* codec = nullptr;
  void onReadable() override {}  // the fuzzer hands the input over itself
  void onRemoteClose() override {}
  void onConnectionError() override {}
  void onWriteDrained() override {
    if (codec) codec->onConnectionDrained();
  }
};

Http2Options fuzzOptions() {
  Http2Options options;  // small limits, so the fuzzer reaches them
  options.max_concurrent_streams = 8;
  options.initial_stream_window_size = 65535;
  options.initial_connection_window_size = 1 << 17;
  options.max_header_list_bytes = 4096;
  options.max_headers = 32;
  options.max_premature_resets = 4;
  return options;
}

class Harness {
 public:
  Harness() {
    FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_) == 0);
    connection_ = std::make_unique<network::Connection>(
        loop_.base(), fds_[0], drains_, network::Connection::Watermarks{1 << 20, kOutputLimit / 2});
    codec_ = std::make_unique<Http2ServerCodec>(*connection_, streams_, loop_.base(), deleter_,
                                                options_, stats(), kOutputLimit);
    drains_.codec = codec_.get();
  }
  ~Harness() {
    drains_.codec = nullptr;
    codec_.reset();
    connection_.reset();  // closes fds_[0]
    ::close(fds_[1]);
  }

  void feed(std::string_view bytes) {
    if (codec_->closeAfterFlush()) return;  // the connection manager stops reading then
    evbuffer_add(connection_->input(), bytes.data(), bytes.size());
    codec_->dispatch(connection_->input());
    FUZZ_CHECK(evbuffer_get_length(connection_->input()) == 0);
    pump();
  }
  void drain() {
    codec_->drain();
    pump();
  }
  void close() {
    streams_.closed = true;
    codec_->resetAllStreams();
    FUZZ_CHECK(streams_.openCount() == 0);
    pump();
  }

 private:
  static Http2Stats& stats() {
    static stats::Store store;
    static Http2Stats stats(store, {{"listener", "fuzz"}});
    return stats;
  }
  // Runs the loop (writes, drain notices, deferred deletes) while the client end reads everything.
  void pump() {
    for (int round = 0; round < 64; ++round) {
      event_base_loop(loop_.base(), EVLOOP_NONBLOCK);
      char sink[64 * 1024];
      ssize_t read_bytes = 0;
      for (ssize_t n; (n = ::read(fds_[1], sink, sizeof sink)) > 0;) read_bytes += n;
      if (read_bytes == 0 && evbuffer_get_length(connection_->output()) == 0) break;
    }
  }

  event::EventLoop loop_;
  event::DeferredDeleter deleter_{loop_.base()};
  Http2Options options_ = fuzzOptions();
  int fds_[2] = {-1, -1};
  Drains drains_;
  Streams streams_;
  std::unique_ptr<network::Connection> connection_;
  std::unique_ptr<Http2ServerCodec> codec_;
};

}  // namespace
}  // namespace weft::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  weft::http::Harness harness;
  harness.feed(weft::http::kPreface);
  // In two parts, so frames also arrive split.
  harness.feed(data.substr(0, size / 2));
  harness.feed(data.substr(size / 2));
  harness.drain();
  harness.close();
  return 0;
}
