// Wire-format helpers shared by the HTTP/1.1 server and client codecs: writing header fields and
// chunked framing, and moving body bytes out of an input buffer without copying them.
#pragma once

#include <event2/buffer.h>

#include <cstdint>
#include <string>

#include "core/event/event_loop.h"
#include "core/http/header_map.h"
#include "core/http/http1_parser.h"

namespace weft::http::http1_encoding {

// The reason phrase for a status code ("OK", "Not Found"), or "" when unknown.
std::string_view reasonPhrase(int status);

// A per-thread string to assemble a head in: reused by every connection of the worker, so an
// idle connection keeps no buffer of its own.
std::string& headScratch();

// A head's pseudo-headers, read in one pass over the front of the map (where HeaderMap keeps
// them). Each is the first of its name, or nullptr.
struct PseudoHeaders {
  const std::string* method = nullptr;
  const std::string* path = nullptr;
  const std::string* authority = nullptr;
  const std::string* status = nullptr;
  size_t count = 0;  // entries they take at the front: the regular fields start there
};
PseudoHeaders pseudoHeaders(const HeaderMap& headers);

// What appendFields saw on its way.
struct FieldsSeen {
  const std::string* content_length = nullptr;  // the first content-length (not written)
  bool upgrade = false;                         // an upgrade field is present
};

// Appends "name: value\r\n" for every regular field from entry `first` on (pseudo-headers and the
// framing fields content-length / transfer-encoding / connection are left to the caller).
FieldsSeen appendFields(std::string& out, const HeaderMap& headers, size_t first = 0);

// A response's status code: the :status value as std::atoi reads it, 500 without one.
int statusCode(const std::string* status);
// Appends "HTTP/1.<minor> <status> <reason>\r\n".
void appendStatusLine(std::string& out, uint8_t minor_version, int status);

// Writes one body piece to `out`, chunk-framed when `chunked`; `data` is emptied. With
// `end_stream` and chunked framing the last-chunk (and `trailers`, if given) follow.
void writeBody(evbuffer* out, evbuffer* data, bool chunked, bool end_stream,
               const HeaderMap* trailers = nullptr);

// The buffer body pieces leave a codec through: made on first use (a connection that carries no
// body never allocates one) and handed out empty each time (a consumer that went away may have
// left bytes behind).
class BodyScratch {
 public:
  evbuffer* fresh();

 private:
  event::EvbufferPtr buffer_;
};

// What one decode step produced: body bytes moved into `body`, and whether the body ended.
struct BodyStep {
  bool progressed = false;
  bool end = false;
  http1::ParseError error = http1::ParseError::kNone;
};

// Moves up to `remaining` bytes of a Content-Length body from `in` to `body`.
BodyStep readContentLength(evbuffer* in, evbuffer* body, uint64_t& remaining);
// Decodes chunked framing from `in`, moving the data to `body` and trailers into `trailers`.
BodyStep readChunked(evbuffer* in, evbuffer* body, http1::ChunkedDecoder& decoder,
                     HeaderMap& trailers);

}  // namespace weft::http::http1_encoding
