// The codec interface: how a wire protocol (HTTP/1.1, HTTP/2) turns bytes into streams and back.
// A connection's codec owns the framing; everything above it — the connection manager, the filter
// chain, the upstream stage — sees only streams made of headers, body data and trailers, with the
// request line and status as the pseudo-headers :method, :path, :authority, :scheme and :status
// whatever the protocol. Bodies move as evbuffer chains: a decoder/encoder call takes the data out
// of the buffer it is given (evbuffer_add_buffer), so nothing is copied on the way through.
//
// Threads: a codec and all its streams live on one worker; no call here is thread-safe.
#pragma once

#include <event2/buffer.h>

#include <cstdint>
#include <string_view>

#include "core/http/header_map.h"

namespace weft::http {

enum class Protocol : uint8_t { kHttp10, kHttp11, kHttp2 };
std::string_view protocolName(Protocol p);  // "HTTP/1.0", "HTTP/1.1", "HTTP/2"

// Inbound half of a server stream: the request as the codec decodes it, and what the codec has to
// say about the stream's response.
class RequestDecoder {
 public:
  virtual ~RequestDecoder() = default;
  virtual void decodeHeaders(HeaderMap&& headers, bool end_stream) = 0;
  virtual void decodeData(evbuffer* data, bool end_stream) = 0;
  virtual void decodeTrailers(HeaderMap&& trailers) = 0;
  // The response bytes this stream queued fell below the low watermark (after watchDrain()).
  virtual void onResponseDrained() = 0;
};

// Outbound half of a server stream: the response, encoded onto the connection.
class ResponseEncoder {
 public:
  virtual ~ResponseEncoder() = default;
  virtual void encode100Continue() = 0;
  virtual void encodeHeaders(const HeaderMap& headers, bool end_stream) = 0;
  virtual void encodeData(evbuffer* data, bool end_stream) = 0;
  virtual void encodeTrailers(const HeaderMap& trailers) = 0;
  // Bytes handed to the connection and not yet written; above the connection's high watermark the
  // stream stops reading from its upstream.
  virtual size_t bufferedBytes() const = 0;
  // Ask to be told (RequestDecoder::onResponseDrained) when the buffered bytes have drained.
  virtual void watchDrain() = 0;
  // Stop / resume taking this stream's request body from the client (backpressure): HTTP/1 stops
  // reading the socket, HTTP/2 stops returning flow-control window for the stream.
  virtual void readDisable(bool disable) = 0;
  // Abandons the stream once the current callback has returned: HTTP/1 closes the connection,
  // HTTP/2 sends RST_STREAM. The codec then reports the stream reset (never inside this call).
  virtual void resetStream() = 0;
};

// What a server codec learned about a request before its headers are decoded.
struct StreamStart {
  Protocol protocol = Protocol::kHttp11;
  bool expect_continue = false;  // the client waits for "100 Continue" before sending its body
};

// The owner of a server codec: the connection manager, which makes and ends streams.
class ServerCodecCallbacks {
 public:
  virtual ~ServerCodecCallbacks() = default;
  // A request begins: the callee returns where its parts go. The encoder and decoder stay paired
  // until onStreamComplete or onStreamReset for that decoder.
  virtual RequestDecoder& newStream(ResponseEncoder& encoder, const StreamStart& start) = 0;
  // The request and its response are both complete.
  virtual void onStreamComplete(RequestDecoder& decoder) = 0;
  // The stream ended early: reset by the peer (HTTP/2 RST_STREAM), refused by the codec (a
  // protocol error on the stream), or abandoned through resetStream().
  virtual void onStreamReset(RequestDecoder& decoder) = 0;
  // Close the connection once the current callback has returned, resetting its open streams.
  virtual void closeSoon() = 0;
};

// The server side of one downstream connection's protocol.
class ServerCodec {
 public:
  virtual ~ServerCodec() = default;
  virtual Protocol protocol() const = 0;
  // Consumes what it can of the connection's input.
  virtual void dispatch(evbuffer* input) = 0;
  // The connection's output drained below its low watermark.
  virtual void onConnectionDrained() = 0;
  // No stream is open and no request is partly read: the connection is idle.
  virtual bool idle() const = 0;
  // The codec is done with the connection: close it once the output is flushed.
  virtual bool closeAfterFlush() const = 0;
  // The peer half-closed the connection: true when a complete request still waits for its
  // response, which can be delivered (HTTP/1 clients may shut down their sending side early).
  virtual bool awaitingResponse() const = 0;
  // Graceful shutdown: no new streams (HTTP/1 "Connection: close" on the next response, HTTP/2
  // GOAWAY); open streams finish.
  virtual void drain() = 0;
  // The connection is about to close without a clean end: a last word for the peer if the
  // protocol has one (HTTP/1: the status, if no response started; HTTP/2: GOAWAY). `status` and
  // `body` describe why (408 "request header timeout", ...).
  virtual void sendErrorAndClose(int status, std::string_view body) = 0;
  // The connection is closing: every open stream is reported reset (onStreamReset) and nothing
  // more is decoded.
  virtual void resetAllStreams() = 0;
};

// Inbound half of a client (upstream) stream: the response as the codec decodes it, and what the
// codec has to say about the stream.
class ResponseDecoder {
 public:
  virtual ~ResponseDecoder() = default;
  virtual void decode100Continue() = 0;
  virtual void decodeHeaders(HeaderMap&& headers, bool end_stream) = 0;
  virtual void decodeData(evbuffer* data, bool end_stream) = 0;
  virtual void decodeTrailers(HeaderMap&& trailers) = 0;
  // The stream broke before its response completed (connection lost, HTTP/2 RST_STREAM or
  // GOAWAY). `refused` is true when the upstream never processed the request (REFUSED_STREAM,
  // or a stream above a GOAWAY's last id): safe to retry elsewhere.
  virtual void onStreamReset(bool refused) = 0;
  // The request bytes this stream queued fell below the low watermark (after watchDrain()).
  virtual void onRequestDrained() = 0;
};

// Outbound half of a client stream: the request, encoded toward the upstream.
class RequestEncoder {
 public:
  virtual ~RequestEncoder() = default;
  virtual void encodeHeaders(const HeaderMap& headers, bool end_stream) = 0;
  virtual void encodeData(evbuffer* data, bool end_stream) = 0;
  virtual void encodeTrailers(const HeaderMap& trailers) = 0;
  virtual size_t bufferedBytes() const = 0;
  virtual void watchDrain() = 0;
  // Stop / resume taking this stream's response (backpressure from a slow client).
  virtual void readDisable(bool disable) = 0;
  // The client is done with the stream before its end: HTTP/1 closes the connection, HTTP/2
  // sends RST_STREAM(CANCEL). Nothing more is delivered to the decoder.
  virtual void resetStream() = 0;
};

// Hop-by-hop fields (RFC 9110 §7.6.1) are connection-scoped: codecs drop them from what they
// decode, plus any field the Connection header names, before a stream sees the headers.
bool isHopByHop(std::string_view lower_name);
void removeHopByHop(HeaderMap& headers, bool keep_upgrade);

}  // namespace weft::http
