// libFuzzer target for the HTTP/1 parser: runs scanHead, parseRequestHead, parseResponseHead and
// ChunkedDecoder over arbitrary bytes and checks their invariants (bounds of every consumed
// count, pseudo-header order, framing consistency, and that chunked decoding gives the same
// result whether the bytes arrive at once or in small pieces). A failed check aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/http/http1_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using weft::http::HeaderMap;
using namespace weft::http1;

// Names lower-case and non-empty, pseudo-headers first, values free of CR, LF and NUL.
void checkHeaders(const HeaderMap& headers, std::string_view first_pseudo) {
  FUZZ_CHECK(!headers.empty() && headers.at(0).name == first_pseudo);
  bool regular_seen = false;
  for (const auto& entry : headers) {
    FUZZ_CHECK(!entry.name.empty());
    if (entry.name[0] == ':') {
      FUZZ_CHECK(!regular_seen);
    } else {
      regular_seen = true;
    }
    for (char c : entry.name) FUZZ_CHECK(c < 'A' || c > 'Z');
    for (char c : entry.value) FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
  }
}

void checkRequest(const RequestHead& head) {
  checkHeaders(head.headers, ":method");
  FUZZ_CHECK(head.version_minor <= 1);
  FUZZ_CHECK(!head.headers.has("host"));
  FUZZ_CHECK(head.framing != BodyFraming::kUntilClose);
  FUZZ_CHECK(head.framing != BodyFraming::kContentLength || head.content_length > 0);
  if (head.framing == BodyFraming::kChunked) {
    FUZZ_CHECK(!head.headers.has("content-length"));
    FUZZ_CHECK(head.headers.count("transfer-encoding") == 1);
    FUZZ_CHECK(*head.headers.get("transfer-encoding") == "chunked");
  } else {
    FUZZ_CHECK(!head.headers.has("transfer-encoding"));
  }
  FUZZ_CHECK(head.headers.count("content-length") <= 1);
  FUZZ_CHECK(!head.expect_continue || head.version_minor == 1);
}

void checkResponse(const ResponseHead& head, std::string_view method) {
  checkHeaders(head.headers, ":status");
  FUZZ_CHECK(head.status >= 100 && head.status <= 599);
  FUZZ_CHECK(head.framing != BodyFraming::kUntilClose || !head.keep_alive);
  FUZZ_CHECK(head.framing != BodyFraming::kContentLength || head.content_length > 0);
  if (method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    FUZZ_CHECK(head.framing == BodyFraming::kNone);
  }
}

void fuzzHead(std::string_view data, const Limits& limits, bool is_request,
              std::string_view method) {
  HeadScan scan = scanHead(data, limits, is_request);
  FUZZ_CHECK((scan.state == HeadScan::State::kError) == (scan.error != ParseError::kNone));
  if (scan.state == HeadScan::State::kComplete) {
    FUZZ_CHECK(scan.head_length > 0 && scan.head_length <= data.size());
    FUZZ_CHECK(data[scan.head_length - 1] == '\n');
    std::string_view head = data.substr(0, scan.head_length);
    HeadScan exact = scanHead(head, limits, is_request);
    FUZZ_CHECK(exact.state == HeadScan::State::kComplete && exact.head_length == head.size());
    FUZZ_CHECK(scanHead(head.substr(0, head.size() - 1), limits, is_request).state !=
               HeadScan::State::kComplete);
    ParseError error;
    if (is_request) {
      RequestHead out;
      error = parseRequestHead(head, limits, out);
      if (error == ParseError::kNone) checkRequest(out);
    } else {
      ResponseHead out;
      error = parseResponseHead(head, method, limits, out);
      if (error == ParseError::kNone) checkResponse(out, method);
    }
    // scanHead already enforced the size limits on this head.
    FUZZ_CHECK(error != ParseError::kRequestLineTooLong && error != ParseError::kHeadersTooLarge);
  }
  // The parsers must also cope with bytes that were never scanned.
  if (is_request) {
    RequestHead out;
    if (parseRequestHead(data, limits, out) == ParseError::kNone) checkRequest(out);
  } else {
    ResponseHead out;
    if (parseResponseHead(data, method, limits, out) == ParseError::kNone) {
      checkResponse(out, method);
    }
  }
}

struct Decoded {
  std::string body;
  HeaderMap trailers;
  size_t consumed = 0;
  bool done = false;
  ParseError error = ParseError::kNone;
};

// Runs the decoder over `input` arriving in pieces of `piece` bytes; unconsumed bytes stay
// buffered, as in a codec.
Decoded decodeChunked(std::string_view input, size_t piece) {
  ChunkedDecoder decoder;
  Decoded result;
  std::string buffer;
  for (size_t pos = 0; pos < input.size(); pos += piece) {
    buffer.append(input.substr(pos, piece));
    while (true) {
      ChunkedDecoder::Step step = decoder.next(buffer, result.trailers);
      FUZZ_CHECK(step.consumed <= buffer.size());
      FUZZ_CHECK(step.data_offset + step.data_length <= step.consumed);
      FUZZ_CHECK(step.error == ParseError::kNone || step.consumed == 0);
      result.body.append(buffer, step.data_offset, step.data_length);
      buffer.erase(0, step.consumed);
      result.consumed += step.consumed;
      result.done = step.done;
      result.error = step.error;
      FUZZ_CHECK(result.done == decoder.done());
      if (step.done || step.error != ParseError::kNone) return result;
      if (step.consumed == 0) break;
    }
  }
  return result;
}

void fuzzChunked(std::string_view data) {
  Decoded whole = decodeChunked(data, data.size() + 1);
  size_t piece = data.empty() ? 1 : static_cast<uint8_t>(data[0]) % 7 + 1;
  Decoded pieces = decodeChunked(data, piece);
  FUZZ_CHECK(whole.error == pieces.error);
  FUZZ_CHECK(whole.done == pieces.done);
  FUZZ_CHECK(whole.body == pieces.body);
  FUZZ_CHECK(whole.consumed == pieces.consumed);
  FUZZ_CHECK(whole.trailers.size() == pieces.trailers.size());
  FUZZ_CHECK(whole.consumed <= data.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  static const char* const kMethods[] = {"GET", "HEAD", "CONNECT"};
  std::string_view method = kMethods[size % 3];
  Limits tight;
  tight.max_request_line = 64;
  tight.max_header_bytes = 256;
  tight.max_headers = 8;
  for (const Limits& limits : {Limits{}, tight}) {
    fuzzHead(data, limits, /*is_request=*/true, method);
    fuzzHead(data, limits, /*is_request=*/false, method);
  }
  fuzzChunked(data);
  return 0;
}
