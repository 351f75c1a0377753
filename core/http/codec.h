// The codec interface: how a wire protocol (HTTP/1.1 today, HTTP/2 next) turns bytes into streams
// and back. A connection's codec owns the framing; everything above it — the connection manager,
// the filter chain, the upstream stage — sees only streams made of headers, body data and
// trailers. Bodies move as evbuffer chains: a decoder/encoder call takes the data out of the
// buffer it is given (evbuffer_add_buffer), so nothing is copied on the way through.
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

// Inbound half of a server stream: the request as the codec decodes it.
class RequestDecoder {
 public:
  virtual ~RequestDecoder() = default;
  virtual void decodeHeaders(HeaderMap&& headers, bool end_stream) = 0;
  virtual void decodeData(evbuffer* data, bool end_stream) = 0;
  virtual void decodeTrailers(HeaderMap&& trailers) = 0;
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
  // Ask to be told (through the connection's owner) when the buffered bytes have drained.
  virtual void watchDrain() = 0;
};

// Inbound half of a client (upstream) stream: the response as the codec decodes it.
class ResponseDecoder {
 public:
  virtual ~ResponseDecoder() = default;
  virtual void decode100Continue() = 0;
  virtual void decodeHeaders(HeaderMap&& headers, bool end_stream) = 0;
  virtual void decodeData(evbuffer* data, bool end_stream) = 0;
  virtual void decodeTrailers(HeaderMap&& trailers) = 0;
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
};

// Hop-by-hop fields (RFC 9110 §7.6.1) are connection-scoped: codecs drop them from what they
// decode, plus any field the Connection header names, before a stream sees the headers.
bool isHopByHop(std::string_view lower_name);
void removeHopByHop(HeaderMap& headers, bool keep_upgrade);

}  // namespace weft::http
