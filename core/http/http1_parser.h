// Strict HTTP/1.1 message-head parser and chunked body decoder (RFC 9110 / RFC 9112).
//
// Written for a proxy: anything a peer could use to make us and the upstream disagree on where a
// message ends (request smuggling) is refused, never "repaired". The parser works on contiguous
// bytes the codec hands it and keeps no state between calls except in ChunkedDecoder.
// Pure functions, no I/O, no allocation beyond the HeaderMap it fills; safe to fuzz.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/http/header_map.h"

namespace weft::http1 {

// Why a message was refused. Each kind has its own counter ("parse errors by kind") and maps to
// one HTTP status via statusFor().
enum class ParseError : uint8_t {
  kNone = 0,
  kBadRequestLine,      // 400: not "method SP target SP version"
  kInvalidMethod,       // 400: method is not a token
  kInvalidTarget,       // 400: control bytes or spaces in the target, bad absolute/authority form
  kUnsupportedVersion,  // 505: anything but HTTP/1.0 or HTTP/1.1
  kRequestLineTooLong,  // 414: request line longer than Limits::max_request_line
  kHeadersTooLarge,     // 431: head bytes over Limits::max_header_bytes
  kTooManyHeaders,      // 431: more fields than Limits::max_headers
  kBadHeaderName,       // 400: empty name, non-token byte, whitespace before the colon
  kBadHeaderValue,      // 400: NUL, bare CR, LF or other control bytes in a value
  kObsFold,             // 400: a line starting with SP/HTAB (obsolete line folding)
  kBareCR,              // 400: CR not followed by LF anywhere in the head
  kMissingHost,         // 400: HTTP/1.1 request without Host
  kDuplicateHost,       // 400: more than one Host
  kBadContentLength,    // 400: non-digit, overflow, or differing duplicate Content-Length
  kContentLengthAndTransferEncoding,  // 400: both present
  kUnknownTransferEncoding,           // 501: a coding other than chunked
  kChunkedNotFinal,  // 400: chunked present but not the last coding, or applied twice
  kBadChunkSize,     // 400: chunk-size line malformed or overflowing
  kBadChunkData,     // 400: chunk data not followed by CRLF
  kBadTrailer,       // 400: malformed trailer section
  kBadStatusLine,    // 502 toward the client: upstream response line malformed
  kCount
};

// The HTTP status the proxy answers with for a refused request (400, 414, 431, 501, 505).
int statusFor(ParseError error);
// A short stable name, e.g. "bad_content_length", used in counters and logs.
std::string_view nameOf(ParseError error);

struct Limits {
  size_t max_request_line = 8 * 1024;   // bytes, request line without CRLF
  size_t max_header_bytes = 60 * 1024;  // bytes, whole head including request line
  size_t max_headers = 100;             // field lines
};

// How the body of a message is delimited (RFC 9112 §6.3).
enum class BodyFraming : uint8_t {
  kNone,           // no body (e.g. GET without Content-Length, 204, 304, response to HEAD)
  kContentLength,  // exactly content_length bytes
  kChunked,        // chunked transfer coding
  kUntilClose,     // responses only: read until the connection closes
};

// Pseudo-headers of a request, in this order: ":method", ":path", ":authority" (from the target
// in absolute-form, else from a non-empty Host; the Host field itself is not kept), ":scheme"
// ("http", or the scheme of an absolute-form target; a TLS listener may overwrite it). A CONNECT
// request has only ":method" and ":authority" (its authority-form target), as in HTTP/2.
// Regular fields follow in arrival order, names lower-cased. Content-Length appears once with the
// canonical decimal value, Transfer-Encoding once as "chunked" (the only coding accepted).
struct RequestHead {
  http::HeaderMap headers;    // :method, :path, :authority (from Host), :scheme, then the fields
  uint8_t version_minor = 1;  // HTTP/1.<minor>
  BodyFraming framing = BodyFraming::kNone;
  uint64_t content_length = 0;   // valid when framing == kContentLength ("Content-Length: 0"
                                 // gives framing kNone with content_length 0)
  bool keep_alive = true;        // after this request (version default, then Connection header)
  bool expect_continue = false;  // "Expect: 100-continue"
  bool upgrade = false;          // Connection: upgrade with an Upgrade header (e.g. websocket)
};

struct ResponseHead {
  http::HeaderMap headers;  // :status, then the fields
  uint8_t version_minor = 1;
  int status = 0;  // 100..599
  BodyFraming framing = BodyFraming::kNone;
  uint64_t content_length = 0;  // as for RequestHead
  bool keep_alive = true;       // also false when framing == kUntilClose
};

// Outcome of looking for a complete head at the front of `data`.
struct HeadScan {
  enum class State : uint8_t { kIncomplete, kComplete, kError } state = State::kIncomplete;
  size_t head_length = 0;  // bytes up to and including the empty line, when kComplete
  ParseError error = ParseError::kNone;
};

// Finds the end of a head (CRLF CRLF; a bare LF line end is accepted per RFC 9112 §2.2).
// Reports kRequestLineTooLong / kHeadersTooLarge as soon as the limits are passed, so a peer can
// never make the proxy hold more than the limit. Leading empty lines before a request are skipped
// (and counted in head_length).
HeadScan scanHead(std::string_view data, const Limits& limits, bool is_request);

// Parses a complete request head (as delimited by scanHead). On error returns the reason and
// leaves `out` unspecified. A Transfer-Encoding in an HTTP/1.0 message is refused as
// kChunkedNotFinal (RFC 9112 §6.1: HTTP/1.0 framing with transfer codings is faulty). A head
// without its terminating empty line is kBadRequestLine (kBadStatusLine for responses); bytes
// after that empty line are ignored.
ParseError parseRequestHead(std::string_view head, const Limits& limits, RequestHead& out);

// Parses a complete response head. `request_method` decides framing for HEAD/CONNECT, and
// 1xx/204/304 responses have no body.
ParseError parseResponseHead(std::string_view head, std::string_view request_method,
                             const Limits& limits, ResponseHead& out);

// Incremental decoder for the chunked transfer coding. Feed it bytes as they arrive; it reports
// how many input bytes it consumed and which of them are body data, so the caller can move the
// data on without copying.
class ChunkedDecoder {
 public:
  struct Step {
    size_t consumed = 0;     // input bytes used in this step (framing and data)
    size_t data_offset = 0;  // where body data starts within the consumed bytes
    size_t data_length = 0;  // body bytes in this step (0 if the step was framing only)
    bool done = false;       // the last chunk and trailer section were read
    ParseError error = ParseError::kNone;
  };

  // Decodes as much of `input` as forms one contiguous piece of progress: a framing line or a
  // run of chunk data. Call again with the unconsumed rest until consumed == 0 (needs more bytes),
  // done, or error. Trailers, if any, are appended to `trailers` (names lower-cased).
  Step next(std::string_view input, http::HeaderMap& trailers);

  bool done() const { return state_ == State::kDone; }

  // Chunk-size lines and trailer sections longer than this, line ends included, are refused
  // (kBadChunkSize / kBadTrailer). Every malformed trailer field is kBadTrailer, and so are
  // Content-Length, Transfer-Encoding and Host as trailers (they must not be merged into a head).
  static constexpr size_t kMaxLine = 4096;

 private:
  enum class State : uint8_t { kSize, kData, kDataCrlf, kTrailer, kDone, kError };
  State state_ = State::kSize;
  ParseError error_ = ParseError::kNone;  // repeated by every call after an error
  uint32_t trailer_bytes_ = 0;            // at most kMaxLine; beside the two bytes above
  uint64_t remaining_ = 0;
};

}  // namespace weft::http1
