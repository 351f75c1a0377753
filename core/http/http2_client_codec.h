// Http2ClientCodec: the upstream side of HTTP/2. Many requests share one connection as streams;
// each stream is the RequestEncoder its request is written to, and its response is delivered to
// the ResponseDecoder given when the stream was opened. A stream that the upstream refused
// (REFUSED_STREAM, or above a GOAWAY's last stream id) is reported as a refused reset, which is
// safe to retry.
//
// Worker-local.
#pragma once

#include <memory>
#include <vector>

#include "core/http/codec.h"
#include "core/http/http2_session.h"
#include "core/http/http2_stats.h"

namespace weft::http {

class Http2ClientCallbacks {
 public:
  virtual ~Http2ClientCallbacks() = default;
  // A stream ended (completed or reset): there is room for another.
  virtual void onStreamFinished() = 0;
  // The upstream's SETTINGS arrived: maxStreams() is known.
  virtual void onSettings() = 0;
};

class Http2ClientCodec : private Http2Session {
 public:
  // Queues the connection preface and SETTINGS; call once the connection is established.
  Http2ClientCodec(network::Connection& connection, Http2ClientCallbacks& callbacks,
                   event::DeferredDeleter& deleter, const Http2Options& options, Http2Stats& stats,
                   size_t output_limit);
  ~Http2ClientCodec() override;

  // A new stream whose response goes to `decoder`: the request is written to the returned
  // encoder (the HEADERS go out on its encodeHeaders). Valid until the decoder hears the end of
  // the response or a reset, or until its resetStream().
  RequestEncoder& newStream(ResponseDecoder& decoder);
  // Feeds the upstream's bytes. False when the session failed (the connection must close).
  bool dispatch(evbuffer* input);
  void onConnectionDrained() { Http2Session::onConnectionDrained(); }
  // The connection is gone: every open stream is reset.
  void onConnectionClosed();
  // No new streams will go out (GOAWAY sent); open streams finish.
  void shutdown() { goAway(NGHTTP2_NO_ERROR); }

  // Streams open now (including those whose headers are not sent yet).
  size_t activeStreams() const { return openStreams() + unsent_.size(); }
  // How many streams the upstream allows at once (capped at 1024).
  size_t maxStreams() const;
  // The session can take new streams: no GOAWAY either way, and nghttp2 still running.
  bool acceptsStreams() const;

 private:
  class ClientStream;

  // Http2Session
  std::unique_ptr<Stream> onNewStream(int32_t id) override;
  void onHeaders(Stream& stream, HeaderMap&& headers, bool end_stream) override;
  void onTrailers(Stream& stream, HeaderMap&& trailers) override;
  void onHeadersTooLarge(Stream& stream) override;
  void onData(Stream& stream, evbuffer* data, bool end_stream) override;
  void onStreamClose(Stream& stream, uint32_t error_code) override;
  void onStreamDrained(Stream& stream) override;
  void onFrame(const nghttp2_frame& frame, Stream* stream, bool sent) override;

  // The HEADERS of a stream made by newStream() go out: it becomes an open stream.
  void open(ClientStream& stream, const HeaderMap& headers, bool end_stream);
  // A stream abandoned before its HEADERS went out.
  void discard(ClientStream& stream);

  Http2ClientCallbacks& callbacks_;
  Http2Stats& stats_;
  std::vector<std::unique_ptr<ClientStream>> unsent_;  // made, HEADERS not yet submitted
  bool goaway_received_ = false;
};

}  // namespace weft::http
