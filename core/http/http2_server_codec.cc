// Http2ServerCodec: see http2_server_codec.h.
#include "core/http/http2_server_codec.h"

#include <utility>

namespace weft::http {

// One request stream: the codec side of the ResponseEncoder / RequestDecoder pair.
class Http2ServerCodec::ServerStream : public Http2Session::Stream, public ResponseEncoder {
 public:
  explicit ServerStream(Http2ServerCodec& codec) : codec_(codec) {}

  RequestDecoder* decoder = nullptr;  // set once the request's headers are complete

  void encode100Continue() override {
    HeaderMap head;
    head.add(":status", "100");
    codec_.submitResponse(*this, head, false);
  }
  void encodeHeaders(const HeaderMap& headers, bool end_stream) override {
    codec_.submitResponse(*this, headers, end_stream);
  }
  void encodeData(evbuffer* data, bool end_stream) override {
    codec_.sendData(*this, data, end_stream);
  }
  void encodeTrailers(const HeaderMap& trailers) override { codec_.sendTrailers(*this, trailers); }
  size_t bufferedBytes() const override { return outboundBytes(); }
  void watchDrain() override { codec_.watchDrain(*this); }
  void readDisable(bool disable) override { codec_.Http2Session::readDisable(*this, disable); }
  void resetStream() override { codec_.Http2Session::resetStream(*this, NGHTTP2_INTERNAL_ERROR); }

 private:
  Http2ServerCodec& codec_;
};

namespace {
Http2ServerCodec* self(void* p) { return static_cast<Http2ServerCodec*>(p); }
}  // namespace

Http2ServerCodec::Http2ServerCodec(network::Connection& connection, ServerCodecCallbacks& callbacks,
                                   event_base* base, event::DeferredDeleter& deleter,
                                   const Http2Options& options, Http2Stats& stats,
                                   size_t output_limit)
    : Http2Session(connection, deleter, options, output_limit),
      callbacks_(callbacks),
      stats_(stats),
      keepalive_(
          base, [](void* p) { self(p)->onKeepaliveTimer(); }, this) {
  start(/*server=*/true);
  if (options.keepalive_interval_ms) keepalive_.arm(options.keepalive_interval_ms);
}

Http2ServerCodec::~Http2ServerCodec() = default;

void Http2ServerCodec::dispatch(evbuffer* input) {
  if (shut_ || failed_) {
    evbuffer_drain(input, evbuffer_get_length(input));
    return;
  }
  int error = Http2Session::dispatch(input);
  if (error == 0) return;
  switch (error) {
    case NGHTTP2_ERR_FLOODED:
      stats_.flood.inc();
      fail(NGHTTP2_ENHANCE_YOUR_CALM);
      break;
    case NGHTTP2_ERR_TOO_MANY_CONTINUATIONS:
      stats_.continuation_flood.inc();
      fail(NGHTTP2_ENHANCE_YOUR_CALM);
      break;
    default:
      stats_.protocol_error.inc();
      fail(NGHTTP2_PROTOCOL_ERROR);
      break;
  }
}

bool Http2ServerCodec::closeAfterFlush() const {
  return failed_ || shut_ || !alive() || (goAwaySent() && openStreams() == 0);
}

void Http2ServerCodec::drain() {
  if (goAwaySent() || failed_) return;
  goAway(NGHTTP2_NO_ERROR);
}

void Http2ServerCodec::sendErrorAndClose(int, std::string_view) { fail(NGHTTP2_NO_ERROR); }

void Http2ServerCodec::fail(uint32_t error_code) {
  if (failed_) return;
  failed_ = true;
  keepalive_.cancel();
  nghttp2_session_terminate_session(session(), error_code);
  flush();
}

void Http2ServerCodec::resetAllStreams() {
  shut_ = true;
  keepalive_.cancel();
  closeAllStreams(NGHTTP2_CANCEL);
}

// ---- streams --------------------------------------------------------------------------------

std::unique_ptr<Http2Session::Stream> Http2ServerCodec::onNewStream(int32_t id) {
  // nghttp2 itself refuses streams over SETTINGS_MAX_CONCURRENT_STREAMS (counted in onFrame).
  if (shut_ || failed_) {
    nghttp2_submit_rst_stream(session(), NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
    return nullptr;
  }
  ++streams_opened_;
  return std::make_unique<ServerStream>(*this);
}

void Http2ServerCodec::onHeaders(Stream& stream, HeaderMap&& headers, bool end_stream) {
  auto& server_stream = static_cast<ServerStream&>(stream);
  StreamStart start;
  start.protocol = Protocol::kHttp2;
  const std::string* expect = headers.get("expect");
  start.expect_continue = expect && equalsIgnoreCase(*expect, "100-continue");
  server_stream.decoder = &callbacks_.newStream(server_stream, start);
  server_stream.decoder->decodeHeaders(std::move(headers), end_stream);
}

void Http2ServerCodec::onTrailers(Stream& stream, HeaderMap&& trailers) {
  auto& server_stream = static_cast<ServerStream&>(stream);
  if (server_stream.decoder) server_stream.decoder->decodeTrailers(std::move(trailers));
}

void Http2ServerCodec::onHeadersTooLarge(Stream& stream) {
  stats_.header_overflow.inc();
  auto& server_stream = static_cast<ServerStream&>(stream);
  if (server_stream.decoder) {  // the trailers were too large: the request cannot be finished
    Http2Session::resetStream(stream, NGHTTP2_ENHANCE_YOUR_CALM);
    return;
  }
  HeaderMap reply;
  reply.add(":status", "431");
  reply.add("content-length", "0");
  submitResponse(stream, reply, true);
}

void Http2ServerCodec::onData(Stream& stream, evbuffer* data, bool end_stream) {
  auto& server_stream = static_cast<ServerStream&>(stream);
  if (!server_stream.decoder) {
    evbuffer_drain(data, evbuffer_get_length(data));
    return;
  }
  server_stream.decoder->decodeData(data, end_stream);
}

void Http2ServerCodec::onStreamClose(Stream& stream, uint32_t error_code) {
  auto& server_stream = static_cast<ServerStream&>(stream);
  RequestDecoder* decoder = std::exchange(server_stream.decoder, nullptr);
  if (!decoder) return;
  // A response that ended before its request did is followed by RST_STREAM(NO_ERROR): still a
  // complete exchange.
  if (error_code == NGHTTP2_NO_ERROR && stream.localEnded()) {
    callbacks_.onStreamComplete(*decoder);
  } else {
    callbacks_.onStreamReset(*decoder);
  }
}

void Http2ServerCodec::onStreamDrained(Stream& stream) {
  auto& server_stream = static_cast<ServerStream&>(stream);
  if (server_stream.decoder) server_stream.decoder->onResponseDrained();
}

void Http2ServerCodec::onFrame(const nghttp2_frame& frame, Stream* stream, bool sent) {
  if (sent) {
    if (frame.hd.type == NGHTTP2_RST_STREAM) {
      stats_.tx_reset.inc();
      if (frame.rst_stream.error_code == NGHTTP2_REFUSED_STREAM) stats_.streams_refused.inc();
    }
    if (frame.hd.type == NGHTTP2_GOAWAY) {
      stats_.goaway_sent.inc();
      // A GOAWAY with an error that the codec did not send itself: nghttp2 found the peer's
      // frames malformed (bad sizes, frames on the wrong stream, a bad preface, ...).
      if (frame.goaway.error_code != NGHTTP2_NO_ERROR && !failed_) stats_.protocol_error.inc();
    }
    // The response is complete but the client is still sending: tell it to stop (RFC 9113
    // §8.1), without error, so the exchange still counts as complete.
    if (stream && (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) && !stream->remoteEnded() &&
        (frame.hd.type == NGHTTP2_HEADERS || frame.hd.type == NGHTTP2_DATA)) {
      nghttp2_submit_rst_stream(session(), NGHTTP2_FLAG_NONE, stream->id(), NGHTTP2_NO_ERROR);
    }
    return;
  }
  if (options().keepalive_interval_ms && !failed_) {
    if (frame.hd.type == NGHTTP2_PING && (frame.hd.flags & NGHTTP2_FLAG_ACK)) {
      awaiting_ping_ack_ = false;
    }
    if (!awaiting_ping_ack_) keepalive_.arm(options().keepalive_interval_ms);
  }
  if (frame.hd.type != NGHTTP2_RST_STREAM) return;
  stats_.rx_reset.inc();
  if (!stream || stream->localEnded()) return;
  stats_.premature_reset.inc();
  ++premature_resets_;
  if (premature_resets_ >= options().max_premature_resets &&
      premature_resets_ * 2 >= streams_opened_) {
    stats_.rapid_reset_close.inc();
    fail(NGHTTP2_ENHANCE_YOUR_CALM);
  }
}

void Http2ServerCodec::onKeepaliveTimer() {
  if (awaiting_ping_ack_) {
    stats_.keepalive_timeout.inc();
    fail(NGHTTP2_NO_ERROR);
    callbacks_.closeSoon();
    return;
  }
  awaiting_ping_ack_ = true;
  nghttp2_submit_ping(session(), NGHTTP2_FLAG_NONE, nullptr);
  flush();
  keepalive_.arm(options().keepalive_interval_ms);
}

}  // namespace weft::http
