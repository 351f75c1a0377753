// Http1ServerCodec: the downstream side of HTTP/1.1. Decodes requests from the connection's input
// buffer into streams and encodes their responses into its output buffer.
//
// Pipelining: a request's head is parsed only after the previous response is complete, so
// responses always leave in request order; pipelined bytes wait in the input buffer (bounded by
// the connection's read watermark). A response that completes before its request body was fully
// read ends the connection ("Connection: close"), since the rest of the body cannot be trusted as
// the next request's start.
//
// Upgrade: after a 101 response the codec becomes a byte tunnel; bytes flow as body data both ways.
#pragma once

#include <event2/buffer.h>

#include <cstdint>
#include <string>

#include "core/http/codec.h"
#include "core/http/http1_encoding.h"
#include "core/http/http1_parser.h"
#include "core/network/connection.h"

namespace weft::http {

class Http1ServerCallbacks : public ServerCodecCallbacks {
 public:
  // The bytes are not valid HTTP: the codec has queued an error response and will close.
  virtual void onParseError(http1::ParseError error) = 0;
};

class Http1ServerCodec : public ServerCodec, public ResponseEncoder {
 public:
  // Encodes into `connection`'s output and flushes it after each piece.
  Http1ServerCodec(network::Connection& connection, Http1ServerCallbacks& callbacks,
                   const http1::Limits& limits);

  // ServerCodec. dispatch() is called on every read, and again after onStreamComplete when the
  // input still holds bytes (the next pipelined request). drain() makes future responses carry
  // "Connection: close" (drain, max requests per connection). sendErrorAndClose() answers with
  // `status` if no response has started, for errors found outside the parser (timeouts).
  Protocol protocol() const override {
    return request_minor_ == 0 ? Protocol::kHttp10 : Protocol::kHttp11;
  }
  void dispatch(evbuffer* input) override;
  void onConnectionDrained() override;
  bool idle() const override { return state_ == State::kHead && !stream_active_; }
  bool closeAfterFlush() const override { return close_after_flush_; }
  void drain() override { keep_alive_allowed_ = false; }
  void sendErrorAndClose(int status, std::string_view body) override;
  void resetAllStreams() override;
  bool awaitingResponse() const override { return state_ == State::kRequestDone && stream_active_; }

  // ResponseEncoder
  void encode100Continue() override;
  void encodeHeaders(const HeaderMap& headers, bool end_stream) override;
  void encodeData(evbuffer* data, bool end_stream) override;
  void encodeTrailers(const HeaderMap& trailers) override;
  size_t bufferedBytes() const override { return evbuffer_get_length(output()); }
  void watchDrain() override;
  void readDisable(bool disable) override { connection_.readDisable(disable); }
  void resetStream() override { callbacks_.closeSoon(); }

 private:
  enum class State : uint8_t { kHead, kBody, kRequestDone, kTunnel, kClosed };

  bool dispatchHead(evbuffer* input);
  bool dispatchContentLength(evbuffer* input);
  bool dispatchChunked(evbuffer* input);
  void requestComplete();
  void responseComplete();
  void fail(http1::ParseError error);
  evbuffer* output() const { return connection_.output(); }

  network::Connection& connection_;
  Http1ServerCallbacks& callbacks_;
  const http1::Limits& limits_;  // the listener's; outlives the connection
  RequestDecoder* decoder_ = nullptr;
  // Flags are grouped into whole words: every idle connection holds a codec.
  State state_ = State::kHead;
  bool stream_active_ = false;
  bool keep_alive_allowed_ = true;
  bool close_after_flush_ = false;

  // The current request.
  uint8_t request_minor_ = 1;
  bool request_keep_alive_ = true;
  bool request_is_head_ = false;
  bool request_upgrade_ = false;
  uint64_t body_remaining_ = 0;
  http1::ChunkedDecoder chunked_;
  http1_encoding::BodyScratch body_;  // where body pieces leave the codec
  HeaderMap trailers_;

  // The current response.
  bool response_started_ = false;
  bool response_chunked_ = false;
  bool response_until_close_ = false;
  bool response_done_ = false;
  bool response_keep_alive_ = true;
  bool watch_drain_ = false;  // the stream asked to hear when the response drains
};

}  // namespace weft::http
