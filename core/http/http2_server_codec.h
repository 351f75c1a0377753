// Http2ServerCodec: the downstream side of HTTP/2 (h2c with prior knowledge, or h2 after ALPN).
// Each stream the client opens becomes one request for the connection manager, with the same
// ResponseEncoder / RequestDecoder pair an HTTP/1 request gets, so filters cannot tell them apart.
//
// Defences, each counted in Http2Stats:
//   - header blocks over the listener's size or count limits (HPACK bombs) are answered 431
//     without a stream being made; decoding continues only to keep the HPACK state in step;
//   - streams over SETTINGS_MAX_CONCURRENT_STREAMS are refused (RST_STREAM REFUSED_STREAM) while
//     the client has not acknowledged the limit; after that nghttp2 treats one more stream as a
//     connection error (GOAWAY PROTOCOL_ERROR) — stricter than RFC 9113 §5.1.2's stream error,
//     and nghttp2 offers no way around it;
//   - rapid reset (CVE-2023-44487): too many streams reset by the client before their response
//     ended close the connection with GOAWAY(ENHANCE_YOUR_CALM);
//   - CONTINUATION floods and control-frame floods (nghttp2's own limits) close the connection
//     with GOAWAY(ENHANCE_YOUR_CALM); other protocol errors with the GOAWAY nghttp2 picks
//     (PROTOCOL_ERROR, FRAME_SIZE_ERROR, ...), counted as protocol errors.
// Keepalive: with keepalive_interval_ms set, a PING goes out after that long without a frame from
// the client, and the connection closes when it is not answered within keepalive_timeout_ms.
//
// Worker-local.
#pragma once

#include <memory>

#include "core/event/event_loop.h"
#include "core/http/codec.h"
#include "core/http/http2_session.h"
#include "core/http/http2_stats.h"

namespace weft::http {

class Http2ServerCodec : public ServerCodec, private Http2Session {
 public:
  Http2ServerCodec(network::Connection& connection, ServerCodecCallbacks& callbacks,
                   event_base* base, event::DeferredDeleter& deleter, const Http2Options& options,
                   Http2Stats& stats, size_t output_limit);
  ~Http2ServerCodec() override;

  // ServerCodec
  Protocol protocol() const override { return Protocol::kHttp2; }
  void dispatch(evbuffer* input) override;
  void onConnectionDrained() override { Http2Session::onConnectionDrained(); }
  bool idle() const override { return openStreams() == 0; }
  bool closeAfterFlush() const override;
  bool awaitingResponse() const override { return false; }
  void drain() override;
  void sendErrorAndClose(int status, std::string_view body) override;
  void resetAllStreams() override;

 private:
  class ServerStream;

  // Http2Session
  std::unique_ptr<Stream> onNewStream(int32_t id) override;
  void onHeaders(Stream& stream, HeaderMap&& headers, bool end_stream) override;
  void onTrailers(Stream& stream, HeaderMap&& trailers) override;
  void onHeadersTooLarge(Stream& stream) override;
  void onData(Stream& stream, evbuffer* data, bool end_stream) override;
  void onStreamClose(Stream& stream, uint32_t error_code) override;
  void onStreamDrained(Stream& stream) override;
  void onFrame(const nghttp2_frame& frame, Stream* stream, bool sent) override;

  void onKeepaliveTimer();
  // Ends the connection for misbehaviour: GOAWAY with `error_code`, nothing more is served.
  void fail(uint32_t error_code);

  ServerCodecCallbacks& callbacks_;
  Http2Stats& stats_;
  event::Timer keepalive_;
  bool awaiting_ping_ack_ = false;
  bool failed_ = false;
  bool shut_ = false;  // resetAllStreams ran: nothing more is delivered
  uint64_t streams_opened_ = 0;
  uint64_t premature_resets_ = 0;
};

}  // namespace weft::http
