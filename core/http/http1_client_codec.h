// Http1ClientCodec: the upstream side of HTTP/1.1. Encodes one request at a time onto an upstream
// connection and decodes its response. A connection goes back to its pool only when both the
// request and the response completed cleanly and the response allows keep-alive.
#pragma once

#include <event2/buffer.h>

#include <cstdint>
#include <string>

#include "core/http/codec.h"
#include "core/http/http1_encoding.h"
#include "core/http/http1_parser.h"
#include "core/network/connection.h"

namespace weft::http {

class ClientCodecCallbacks {
 public:
  virtual ~ClientCodecCallbacks() = default;
  // The response ended (the stream may already be gone); the connection may be reusable.
  virtual void onResponseComplete() = 0;
  // The upstream sent bytes that are not valid HTTP.
  virtual void onUpstreamProtocolError(http1::ParseError error) = 0;
};

class Http1ClientCodec {
 public:
  // Encodes into `connection`'s output and flushes it after each piece.
  Http1ClientCodec(network::Connection& connection, ClientCodecCallbacks& callbacks,
                   const http1::Limits& limits);

  // Begins a new exchange; the response is delivered to `decoder` until it completes or
  // detach() is called.
  void startRequest(ResponseDecoder& decoder);
  // The stream went away early: stop delivering to it (the connection will not be reused).
  void detach();

  void dispatch(evbuffer* input);
  // The upstream closed: ends an until-close body; anything else in flight is a reset.
  // Returns true when that close completed the response.
  bool onRemoteClose();

  // True when the connection can carry another request.
  bool reusable() const { return idle_ && keep_alive_; }

  // The request of the current exchange (the pooled connection's RequestEncoder calls these).
  void encodeHeaders(const HeaderMap& headers, bool end_stream);
  void encodeData(evbuffer* data, bool end_stream);
  void encodeTrailers(const HeaderMap& trailers);
  size_t bufferedBytes() const { return evbuffer_get_length(output_); }
  void watchDrain() { connection_.watchDrain(); }

 private:
  enum class State : uint8_t { kHead, kBody, kTunnel, kDone };

  bool dispatchHead(evbuffer* input);
  void dispatchBody(evbuffer* input);
  void complete();

  network::Connection& connection_;
  evbuffer* output_;
  ClientCodecCallbacks& callbacks_;
  const http1::Limits& limits_;  // the cluster's; outlives the connection
  ResponseDecoder* decoder_ = nullptr;
  State state_ = State::kDone;
  bool idle_ = true;
  bool keep_alive_ = true;
  bool request_chunked_ = false;
  bool request_done_ = false;
  std::string method_;
  http1::BodyFraming framing_ = http1::BodyFraming::kNone;
  uint64_t body_remaining_ = 0;
  http1::ChunkedDecoder chunked_;
  http1_encoding::BodyScratch body_;  // where body pieces leave the codec
  HeaderMap trailers_;
};

}  // namespace weft::http
