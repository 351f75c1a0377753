// Strict HTTP/1.1 head parser: scanHead, parseRequestHead, parseResponseHead and the error table.
// The byte classes and the field-line rules shared with the chunked decoder live in
// http1_syntax.h; ChunkedDecoder is in http1_chunked.cc.
#include "core/http/http1_parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

#include "core/http/http1_syntax.h"

namespace weft::http1 {
namespace {

using http::equalsIgnoreCase;
using syntax::hasCR;
using syntax::is;
using syntax::kMaxBodyLength;
using syntax::nextLine;
using syntax::trimOws;

// RFC 9112 §2.2 asks servers to ignore "at least one" empty line before a request line; a few
// are enough for clients that send a stray CRLF after a body, more is treated as garbage.
constexpr int kMaxLeadingEmptyLines = 4;

// The length of an empty line at the front of `data`: 1 ("\n"), 2 ("\r\n"), 0 if the front is not
// an empty line, or -1 if it could still become one (a lone "\r" at the end).
int emptyLineAt(std::string_view data) {
  if (data.empty()) return 0;
  if (data[0] == '\n') return 1;
  if (data[0] != '\r') return 0;
  if (data.size() == 1) return -1;
  return data[1] == '\n' ? 2 : 0;
}

// Calls `fn(element)` for each non-empty element of a comma-separated list (RFC 9110 §5.6.1),
// with optional whitespace trimmed.
template <typename Fn>
void forEachListElement(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view element = trimOws(list.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// Parses a Content-Length value: one decimal, or a list of identical decimals ("5, 5"), which
// some senders produce when they merge fields. No sign, no empty element, below 2^63.
bool parseContentLength(std::string_view value, uint64_t& out) {
  bool seen = false;
  size_t i = 0;
  while (true) {
    size_t start = i;
    uint64_t n = 0;
    for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
      uint64_t digit = static_cast<uint64_t>(value[i] - '0');
      if (n > (kMaxBodyLength - digit) / 10) return false;
      n = n * 10 + digit;
    }
    if (i == start || (seen && n != out)) return false;
    out = n;
    seen = true;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    if (i == value.size()) return true;
    if (value[i] != ',') return false;
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
  }
}

// Checks an authority (RFC 3986 §3.2 without userinfo): a host of unreserved, pct-encoded and
// sub-delim bytes or an IP literal in brackets, then an optional ":" port of digits.
bool validAuthority(std::string_view authority, bool require_host_and_port) {
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return false;
      has_port = true;
      port = after.substr(1);
    }
    for (char c : host) {
      if (!is(c, syntax::kAuthority) || c == '[' || c == ']') return false;
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      has_port = true;
    }
    for (char c : host) {
      if (!is(c, syntax::kAuthority) || c == ':' || c == '[' || c == ']') return false;
    }
  }
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  if (require_host_and_port) return !host.empty() && has_port && !port.empty();
  return true;
}

// "HTTP/1.0" or "HTTP/1.1" → minor version; -1 for another well-formed HTTP/x.y; -2 for garbage.
int parseVersion(std::string_view version) {
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.') return -2;
  char major = version[5];
  char minor = version[7];
  if (major < '0' || major > '9' || minor < '0' || minor > '9') return -2;
  if (major == '1' && (minor == '0' || minor == '1')) return minor - '0';
  return -1;
}

// What the framing and connection-management fields of a head said.
struct FieldSummary {
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  int chunked_count = 0;
  bool chunked_last = false;
  bool other_coding = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  bool connection_upgrade = false;
  bool has_upgrade = false;
  bool expect_continue = false;
  bool has_host = false;
  // Requests whose target had no authority wait for Host to add ":authority" and ":scheme", so
  // the pseudo-headers come out in the order :method, :path, :authority, :scheme.
  bool authority_pending = false;
};

// Reads the field lines after the start line up to the empty line, copying them into `headers`
// (Host becomes ":authority" for requests) and summarising framing fields in `summary`.
ParseError parseFields(std::string_view& rest, const Limits& limits, bool is_request,
                       http::HeaderMap& headers, FieldSummary& summary) {
  std::string_view line;
  size_t count = 0;
  while (true) {
    if (!nextLine(rest, line))
      return is_request ? ParseError::kBadRequestLine : ParseError::kBadStatusLine;
    if (line.empty()) return ParseError::kNone;
    if (++count > limits.max_headers) return ParseError::kTooManyHeaders;
    syntax::Field field;
    ParseError error = syntax::parseField(line, field);
    if (error != ParseError::kNone) return error;

    std::string_view name = field.name;
    std::string_view value = field.value;
    switch (name.size()) {
      case 4:
        if (is_request && equalsIgnoreCase(name, "host")) {
          if (summary.has_host) return ParseError::kDuplicateHost;
          if (!validAuthority(value, false)) return ParseError::kBadHeaderValue;
          summary.has_host = true;
          if (summary.authority_pending) {
            if (!value.empty()) headers.add(":authority", value);
            headers.add(":scheme", "http");
            summary.authority_pending = false;
          }
          continue;  // the field itself lives on as ":authority"
        }
        break;
      case 14:
        if (equalsIgnoreCase(name, "content-length")) {
          uint64_t length = 0;
          if (!parseContentLength(value, length)) return ParseError::kBadContentLength;
          if (summary.has_content_length) {
            if (length != summary.content_length) return ParseError::kBadContentLength;
            continue;  // an identical duplicate is merged into the first
          }
          summary.has_content_length = true;
          summary.content_length = length;
          char digits[24];
          auto converted = std::to_chars(digits, digits + sizeof(digits), length);
          headers.add("content-length", std::string_view(digits, converted.ptr - digits));
          continue;
        }
        break;
      case 17:
        if (equalsIgnoreCase(name, "transfer-encoding")) {
          forEachListElement(value, [&](std::string_view coding) {
            bool chunked = equalsIgnoreCase(coding, "chunked");
            summary.chunked_count += chunked ? 1 : 0;
            summary.other_coding |= !chunked;
            summary.chunked_last = chunked;
          });
          // Every accepted message has exactly the codings ["chunked"]; the map carries that
          // normalised form, so what we forward cannot be read differently upstream.
          if (!summary.has_transfer_encoding) headers.add("transfer-encoding", "chunked");
          summary.has_transfer_encoding = true;
          continue;
        }
        break;
      case 10:
        if (equalsIgnoreCase(name, "connection")) {
          forEachListElement(value, [&](std::string_view token) {
            summary.connection_close |= equalsIgnoreCase(token, "close");
            summary.connection_keep_alive |= equalsIgnoreCase(token, "keep-alive");
            summary.connection_upgrade |= equalsIgnoreCase(token, "upgrade");
          });
        }
        break;
      case 7:
        summary.has_upgrade |= equalsIgnoreCase(name, "upgrade");
        break;
      case 6:
        if (is_request && equalsIgnoreCase(name, "expect")) {
          summary.expect_continue |= equalsIgnoreCase(value, "100-continue");
        }
        break;
      default:
        break;
    }
    headers.add(name, value);
  }
}

// Checks Content-Length against Transfer-Encoding (RFC 9112 §6.1-6.3).
ParseError checkFraming(const FieldSummary& summary, uint8_t version_minor) {
  if (!summary.has_transfer_encoding) return ParseError::kNone;
  if (summary.has_content_length) return ParseError::kContentLengthAndTransferEncoding;
  // HTTP/1.0 has no transfer codings; RFC 9112 §6.1 says to treat such framing as faulty. We
  // refuse it with kChunkedNotFinal (400): chunked is not a valid final coding in HTTP/1.0.
  if (version_minor == 0) return ParseError::kChunkedNotFinal;
  if (summary.chunked_count > 1 || (summary.chunked_count == 1 && !summary.chunked_last)) {
    return ParseError::kChunkedNotFinal;
  }
  if (summary.other_coding) return ParseError::kUnknownTransferEncoding;
  if (summary.chunked_count == 0) return ParseError::kChunkedNotFinal;  // empty field value
  return ParseError::kNone;
}

bool keepAlive(const FieldSummary& summary, uint8_t version_minor) {
  if (summary.connection_close) return false;
  return version_minor == 1 || summary.connection_keep_alive;
}

// The request line's three parts, checked for shape only.
struct RequestLine {
  std::string_view method;
  std::string_view target;
  uint8_t version_minor = 1;
};

ParseError parseRequestLine(std::string_view line, RequestLine& out) {
  size_t first_sp = line.find(' ');
  size_t last_sp = line.rfind(' ');
  if (first_sp == std::string_view::npos || first_sp == 0 || first_sp == last_sp) {
    return ParseError::kBadRequestLine;
  }
  out.method = line.substr(0, first_sp);
  out.target = line.substr(first_sp + 1, last_sp - first_sp - 1);
  if (out.target.empty() || out.target.front() == ' ' || out.target.back() == ' ') {
    return ParseError::kBadRequestLine;  // separators are exactly one SP
  }
  int minor = parseVersion(line.substr(last_sp + 1));
  if (minor == -2) return ParseError::kBadRequestLine;
  if (minor == -1) return ParseError::kUnsupportedVersion;
  out.version_minor = static_cast<uint8_t>(minor);
  for (char c : out.method) {
    if (!is(c, syntax::kTchar)) return ParseError::kInvalidMethod;
  }
  if (!syntax::validTarget(out.target)) return ParseError::kInvalidTarget;
  return ParseError::kNone;
}

// Adds the pseudo-headers a target gives (RFC 9112 §3.2); returns kInvalidTarget for a form the
// method may not use. Without an authority in the target, Host supplies it later.
ParseError addTargetPseudoHeaders(const RequestLine& request, http::HeaderMap& headers,
                                  FieldSummary& summary) {
  std::string_view target = request.target;
  headers.add(":method", request.method);
  if (request.method == "CONNECT") {  // authority-form only; no :path or :scheme, as in HTTP/2
    if (!validAuthority(target, true)) return ParseError::kInvalidTarget;
    headers.add(":authority", target);
    return ParseError::kNone;
  }
  if (target == "*" || target.front() == '/') {
    if (target == "*" && request.method != "OPTIONS") return ParseError::kInvalidTarget;
    headers.add(":path", target);
    summary.authority_pending = true;
    return ParseError::kNone;
  }
  // absolute-form: scheme "://" authority [path-abempty] ["?" query]
  size_t colon = target.find("://");
  if (colon == std::string_view::npos) return ParseError::kInvalidTarget;
  std::string_view scheme = target.substr(0, colon);
  bool https = equalsIgnoreCase(scheme, "https");
  if (!https && !equalsIgnoreCase(scheme, "http")) return ParseError::kInvalidTarget;
  std::string_view rest = target.substr(colon + 3);
  size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  if (authority.empty() || !validAuthority(authority, false)) return ParseError::kInvalidTarget;
  std::string_view path =
      path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (!path.empty() && path.front() == '/') {
    headers.add(":path", path);
  } else {
    headers.add(":path", std::string("/").append(path));  // "http://h" or "http://h?q"
  }
  headers.add(":authority", authority);
  headers.add(":scheme", https ? "https" : "http");
  return ParseError::kNone;
}

// Status line: "HTTP/1.x" SP 3DIGIT [SP reason-phrase] (an absent SP is tolerated).
ParseError parseStatusLine(std::string_view line, ResponseHead& out) {
  if (line.size() < 12 || line[8] != ' ' || parseVersion(line.substr(0, 8)) < 0) {
    return ParseError::kBadStatusLine;
  }
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return ParseError::kBadStatusLine;
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || status > 599) return ParseError::kBadStatusLine;
  if (line.size() > 12) {
    if (line[12] != ' ') return ParseError::kBadStatusLine;
    if (!syntax::validFieldValue(line.substr(13))) return ParseError::kBadStatusLine;
  }
  out.version_minor = static_cast<uint8_t>(line[7] - '0');
  out.status = status;
  return ParseError::kNone;
}

}  // namespace

int statusFor(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return 200;
    case ParseError::kRequestLineTooLong:
      return 414;
    case ParseError::kHeadersTooLarge:
    case ParseError::kTooManyHeaders:
      return 431;
    case ParseError::kUnknownTransferEncoding:
      return 501;
    case ParseError::kUnsupportedVersion:
      return 505;
    case ParseError::kBadStatusLine:
      return 502;
    case ParseError::kCount:
      return 500;
    default:
      return 400;
  }
}

std::string_view nameOf(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return "none";
    case ParseError::kBadRequestLine:
      return "bad_request_line";
    case ParseError::kInvalidMethod:
      return "invalid_method";
    case ParseError::kInvalidTarget:
      return "invalid_target";
    case ParseError::kUnsupportedVersion:
      return "unsupported_version";
    case ParseError::kRequestLineTooLong:
      return "request_line_too_long";
    case ParseError::kHeadersTooLarge:
      return "headers_too_large";
    case ParseError::kTooManyHeaders:
      return "too_many_headers";
    case ParseError::kBadHeaderName:
      return "bad_header_name";
    case ParseError::kBadHeaderValue:
      return "bad_header_value";
    case ParseError::kObsFold:
      return "obs_fold";
    case ParseError::kBareCR:
      return "bare_cr";
    case ParseError::kMissingHost:
      return "missing_host";
    case ParseError::kDuplicateHost:
      return "duplicate_host";
    case ParseError::kBadContentLength:
      return "bad_content_length";
    case ParseError::kContentLengthAndTransferEncoding:
      return "content_length_and_transfer_encoding";
    case ParseError::kUnknownTransferEncoding:
      return "unknown_transfer_encoding";
    case ParseError::kChunkedNotFinal:
      return "chunked_not_final";
    case ParseError::kBadChunkSize:
      return "bad_chunk_size";
    case ParseError::kBadChunkData:
      return "bad_chunk_data";
    case ParseError::kBadTrailer:
      return "bad_trailer";
    case ParseError::kBadStatusLine:
      return "bad_status_line";
    case ParseError::kCount:
      break;
  }
  return "unknown";
}

HeadScan scanHead(std::string_view data, const Limits& limits, bool is_request) {
  HeadScan scan;
  auto fail = [&scan](ParseError error) {
    scan.state = HeadScan::State::kError;
    scan.error = error;
    return scan;
  };
  const size_t size = data.size();
  size_t start = 0;  // where the start line begins
  for (int skipped = 0; is_request; ++skipped) {
    int empty = emptyLineAt(data.substr(start));
    if (empty < 0) return scan;
    if (empty == 0) break;
    if (skipped == kMaxLeadingEmptyLines) return fail(ParseError::kBadRequestLine);
    start += static_cast<size_t>(empty);
  }
  size_t line_start = start;
  bool first_line = true;
  while (true) {
    // The LF ending this line must lie inside the head limit, and for a request line also
    // within max_request_line (+ CR LF): search no further than that.
    size_t window = start + std::min(size - start, limits.max_header_bytes);
    bool line_limited = first_line && is_request;
    if (line_limited && window > line_start && window - line_start - 1 > limits.max_request_line) {
      window = line_start + limits.max_request_line + 2;
    }
    const void* lf = line_start < window
                         ? std::memchr(data.data() + line_start, '\n', window - line_start)
                         : nullptr;
    if (lf == nullptr) {
      size_t pending = size - line_start;
      if (line_limited && pending > limits.max_request_line &&
          !(pending == limits.max_request_line + 1 && data.back() == '\r')) {
        return fail(ParseError::kRequestLineTooLong);
      }
      if (size - start >= limits.max_header_bytes) {
        return fail(ParseError::kHeadersTooLarge);
      }
      return scan;
    }
    size_t lf_pos = static_cast<size_t>(static_cast<const char*>(lf) - data.data());
    size_t content = lf_pos - line_start;
    if (content > 0 && data[lf_pos - 1] == '\r') --content;
    if (line_limited && content > limits.max_request_line) {
      return fail(ParseError::kRequestLineTooLong);
    }
    if (!first_line && content == 0) {
      scan.state = HeadScan::State::kComplete;
      scan.head_length = lf_pos + 1;
      return scan;
    }
    first_line = false;
    line_start = lf_pos + 1;
  }
}

ParseError parseRequestHead(std::string_view head, const Limits& limits, RequestHead& out) {
  out.headers.clear();
  // Typical heads fit without regrowing, x-forwarded-* too. 15 entries (960 bytes), not 16: a
  // 1024-byte request falls in glibc's large bins, where every allocation that misses the
  // thread cache first consolidates the fast bins.
  out.headers.reserve(15);
  out.version_minor = 1;
  out.framing = BodyFraming::kNone;
  out.content_length = 0;
  out.keep_alive = true;
  out.expect_continue = false;
  out.upgrade = false;

  for (int skipped = 0; emptyLineAt(head) > 0; ++skipped) {
    if (skipped == kMaxLeadingEmptyLines) return ParseError::kBadRequestLine;
    head.remove_prefix(static_cast<size_t>(emptyLineAt(head)));
  }
  std::string_view rest = head;
  std::string_view line;
  if (!nextLine(rest, line)) return ParseError::kBadRequestLine;
  if (line.size() > limits.max_request_line) return ParseError::kRequestLineTooLong;

  RequestLine request;
  ParseError error = parseRequestLine(line, request);
  if (error != ParseError::kNone) return hasCR(line) ? ParseError::kBareCR : error;
  out.version_minor = request.version_minor;

  FieldSummary summary;
  error = addTargetPseudoHeaders(request, out.headers, summary);
  if (error != ParseError::kNone) return error;
  error = parseFields(rest, limits, /*is_request=*/true, out.headers, summary);
  if (error != ParseError::kNone) return error;
  if (head.size() - rest.size() > limits.max_header_bytes) return ParseError::kHeadersTooLarge;
  if (!summary.has_host && request.version_minor == 1) return ParseError::kMissingHost;
  if (summary.authority_pending) out.headers.add(":scheme", "http");  // HTTP/1.0 without Host
  error = checkFraming(summary, request.version_minor);
  if (error != ParseError::kNone) return error;

  out.keep_alive = keepAlive(summary, request.version_minor);
  out.expect_continue = summary.expect_continue && request.version_minor == 1;
  out.upgrade = summary.connection_upgrade && summary.has_upgrade;
  out.content_length = summary.content_length;
  if (summary.has_transfer_encoding) {
    out.framing = BodyFraming::kChunked;
  } else if (summary.content_length > 0) {
    out.framing = BodyFraming::kContentLength;
  }
  return ParseError::kNone;
}

ParseError parseResponseHead(std::string_view head, std::string_view request_method,
                             const Limits& limits, ResponseHead& out) {
  out.headers.clear();
  out.headers.reserve(12);
  out.version_minor = 1;
  out.status = 0;
  out.framing = BodyFraming::kNone;
  out.content_length = 0;
  out.keep_alive = true;

  std::string_view rest = head;
  std::string_view line;
  if (!nextLine(rest, line)) return ParseError::kBadStatusLine;
  ParseError error = parseStatusLine(line, out);
  if (error != ParseError::kNone) return hasCR(line) ? ParseError::kBareCR : error;
  out.headers.add(":status", line.substr(9, 3));

  FieldSummary summary;
  error = parseFields(rest, limits, /*is_request=*/false, out.headers, summary);
  if (error != ParseError::kNone) return error;
  if (head.size() - rest.size() > limits.max_header_bytes) return ParseError::kHeadersTooLarge;
  error = checkFraming(summary, out.version_minor);
  if (error != ParseError::kNone) return error;

  out.keep_alive = keepAlive(summary, out.version_minor);
  out.content_length = summary.content_length;
  bool no_body = request_method == "HEAD" || out.status < 200 || out.status == 204 ||
                 out.status == 304 || (request_method == "CONNECT" && out.status < 300);
  if (no_body) {
    out.framing = BodyFraming::kNone;
  } else if (summary.has_transfer_encoding) {
    out.framing = BodyFraming::kChunked;
  } else if (summary.has_content_length) {
    out.framing = summary.content_length > 0 ? BodyFraming::kContentLength : BodyFraming::kNone;
  } else {
    out.framing = BodyFraming::kUntilClose;
    out.keep_alive = false;
  }
  return ParseError::kNone;
}

}  // namespace weft::http1
