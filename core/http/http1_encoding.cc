// HTTP/1.1 wire helpers: see http1_encoding.h.
#include "core/http/http1_encoding.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace weft::http::http1_encoding {

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

evbuffer* BodyScratch::fresh() {
  if (!buffer_) buffer_ = event::newBuffer();
  evbuffer_drain(buffer_.get(), evbuffer_get_length(buffer_.get()));
  return buffer_.get();
}

std::string& headScratch() {
  thread_local std::string scratch;
  return scratch;
}

namespace {
// content-length, transfer-encoding and connection: the fields a codec writes itself. Told apart
// by length first, as this runs for every field of every head.
bool isFramingField(std::string_view name) {
  switch (name.size()) {
    case 10:
      return name == "connection";
    case 14:
      return name == "content-length";
    case 17:
      return name == "transfer-encoding";
    default:
      return false;
  }
}
}  // namespace

PseudoHeaders pseudoHeaders(const HeaderMap& headers) {
  PseudoHeaders pseudo;
  for (const auto& e : headers) {
    std::string_view name = e.name;
    if (name.empty() || name[0] != ':') break;
    ++pseudo.count;
    const std::string** slot = name == ":method"      ? &pseudo.method
                               : name == ":path"      ? &pseudo.path
                               : name == ":authority" ? &pseudo.authority
                               : name == ":status"    ? &pseudo.status
                                                      : nullptr;
    if (slot && !*slot) *slot = &e.value;
  }
  return pseudo;
}

FieldsSeen appendFields(std::string& out, const HeaderMap& headers, size_t first) {
  FieldsSeen seen;
  for (size_t i = first; i < headers.size(); ++i) {
    const HeaderEntry& e = headers.at(i);
    std::string_view name = e.name;
    if (e.name[0] == ':') continue;
    if (isFramingField(name)) {
      if (!seen.content_length && name == "content-length") seen.content_length = &e.value;
      continue;
    }
    seen.upgrade = seen.upgrade || name == "upgrade";
    out.append(name).append(": ").append(e.value).append("\r\n");
  }
  return seen;
}

int statusCode(const std::string* status) {
  if (!status) return 500;
  const std::string& s = *status;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.size() == 3 && digit(s[0]) && digit(s[1]) && digit(s[2])) {
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  }
  return std::atoi(s.c_str());  // anything a filter may have set: read as before
}

void appendStatusLine(std::string& out, uint8_t minor_version, int status) {
  char digits[16];
  auto converted = std::to_chars(digits, digits + sizeof(digits), status);
  out.append(minor_version == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
      .append(digits, static_cast<size_t>(converted.ptr - digits))
      .append(" ")
      .append(reasonPhrase(status))
      .append("\r\n");
}

void writeBody(evbuffer* out, evbuffer* data, bool chunked, bool end_stream,
               const HeaderMap* trailers) {
  size_t length = data ? evbuffer_get_length(data) : 0;
  if (!chunked) {
    if (length) evbuffer_add_buffer(out, data);
    return;
  }
  if (length) {
    char size_line[24];
    char* end = std::to_chars(size_line, size_line + sizeof(size_line) - 2, length, 16).ptr;
    *end++ = '\r';
    *end++ = '\n';
    evbuffer_add(out, size_line, static_cast<size_t>(end - size_line));
    evbuffer_add_buffer(out, data);
    evbuffer_add(out, "\r\n", 2);
  }
  if (end_stream) {
    std::string last = "0\r\n";
    if (trailers) appendFields(last, *trailers);
    last.append("\r\n");
    evbuffer_add(out, last.data(), last.size());
  }
}

BodyStep readContentLength(evbuffer* in, evbuffer* body, uint64_t& remaining) {
  BodyStep step;
  size_t available = evbuffer_get_length(in);
  size_t n = static_cast<size_t>(std::min<uint64_t>(available, remaining));
  if (n > 0) {
    evbuffer_remove_buffer(in, body, n);
    remaining -= n;
    step.progressed = true;
  }
  step.end = remaining == 0;
  return step;
}

BodyStep readChunked(evbuffer* in, evbuffer* body, http1::ChunkedDecoder& decoder,
                     HeaderMap& trailers) {
  BodyStep step;
  while (!decoder.done()) {
    size_t available = evbuffer_get_length(in);
    if (available == 0) break;
    // Look at the first contiguous piece; pull up more only when a framing line spans pieces.
    evbuffer_iovec first;
    evbuffer_peek(in, -1, nullptr, &first, 1);
    std::string_view view(static_cast<const char*>(first.iov_base), first.iov_len);
    auto s = decoder.next(view, trailers);
    if (s.error == http1::ParseError::kNone && s.consumed == 0 && first.iov_len < available) {
      size_t want = std::min(available, http1::ChunkedDecoder::kMaxLine * 2);
      view = std::string_view(reinterpret_cast<const char*>(evbuffer_pullup(in, want)), want);
      s = decoder.next(view, trailers);
    }
    if (s.error != http1::ParseError::kNone) {
      step.error = s.error;
      return step;
    }
    if (s.consumed == 0) break;
    if (s.data_offset) evbuffer_drain(in, s.data_offset);
    if (s.data_length) evbuffer_remove_buffer(in, body, s.data_length);
    evbuffer_drain(in, s.consumed - s.data_offset - s.data_length);
    step.progressed = true;
  }
  step.end = decoder.done();
  return step;
}

}  // namespace weft::http::http1_encoding
