// Tests for the strict HTTP/1 parser: request and response heads, every smuggling defence with
// its exact ParseError and HTTP status, scanHead limits and pipelining, and ChunkedDecoder.
#include "core/http/http1_parser.h"

#include <boost/test/unit_test.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace weft::http1 {

// Boost.Test prints enum values through these.
std::ostream& operator<<(std::ostream& os, ParseError error) { return os << nameOf(error); }
std::ostream& operator<<(std::ostream& os, BodyFraming framing) {
  return os << "framing#" << static_cast<int>(framing);
}
std::ostream& operator<<(std::ostream& os, HeadScan::State state) {
  return os << "scan#" << static_cast<int>(state);
}

namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

ParseError requestError(std::string_view head, const Limits& limits = Limits{}) {
  RequestHead out;
  return parseRequestHead(head, limits, out);
}

ParseError responseError(std::string_view head, std::string_view method = "GET") {
  ResponseHead out;
  return parseResponseHead(head, method, Limits{}, out);
}

// A request line plus "Host: h" plus `fields` (each ending in CRLF) plus the empty line.
std::string request(std::string_view fields, std::string_view line = "POST / HTTP/1.1") {
  return std::string(line) + "\r\nHost: h\r\n" + std::string(fields) + "\r\n";
}

std::string get(const http::HeaderMap& map, std::string_view name) {
  const std::string* value = map.get(name);
  return value != nullptr ? *value : "<absent>";
}

std::vector<std::string> names(const http::HeaderMap& map) {
  std::vector<std::string> out;
  for (const auto& entry : map) out.push_back(entry.name);
  return out;
}

struct Case {
  std::string input;
  ParseError error;
  int status;
};

void checkRequestCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT("request: " << c.input) {
      ParseError error = requestError(c.input);
      BOOST_CHECK_EQUAL(error, c.error);
      BOOST_CHECK_EQUAL(statusFor(error), c.status);
    }
  }
}

BOOST_AUTO_TEST_SUITE(http1_request_head)

BOOST_AUTO_TEST_CASE(origin_form_get) {
  RequestHead head;
  std::string input =
      "GET /a/b?c=d HTTP/1.1\r\nUser-Agent: t\r\nHost: example.com\r\n"
      "Accept: */*\r\n\r\n";
  BOOST_REQUIRE_EQUAL(parseRequestHead(input, Limits{}, head), ParseError::kNone);
  std::vector<std::string> expected{":method", ":path",      ":authority",
                                    ":scheme", "user-agent", "accept"};
  BOOST_CHECK(names(head.headers) == expected);
  BOOST_CHECK_EQUAL(get(head.headers, ":method"), "GET");
  BOOST_CHECK_EQUAL(get(head.headers, ":path"), "/a/b?c=d");
  BOOST_CHECK_EQUAL(get(head.headers, ":authority"), "example.com");
  BOOST_CHECK_EQUAL(get(head.headers, ":scheme"), "http");
  BOOST_CHECK(!head.headers.has("host"));
  BOOST_CHECK_EQUAL(head.version_minor, 1);
  BOOST_CHECK_EQUAL(head.framing, BodyFraming::kNone);
  BOOST_CHECK(head.keep_alive);
  BOOST_CHECK(!head.expect_continue);
  BOOST_CHECK(!head.upgrade);
}

BOOST_AUTO_TEST_CASE(field_values_are_trimmed_and_may_hold_tabs_and_obs_text) {
  RequestHead head;
  std::string input = request("X-A: \t a \tb \t\r\nX-Latin: caf\xE9\r\nX-Empty:\r\n");
  BOOST_REQUIRE_EQUAL(parseRequestHead(input, Limits{}, head), ParseError::kNone);
  BOOST_CHECK_EQUAL(get(head.headers, "x-a"), "a \tb");
  BOOST_CHECK_EQUAL(get(head.headers, "x-latin"), "caf\xE9");
  BOOST_CHECK_EQUAL(get(head.headers, "x-empty"), "");
}

BOOST_AUTO_TEST_CASE(bare_lf_line_ends_are_accepted) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(parseRequestHead("GET / HTTP/1.1\nHost: h\nX: 1\r\n\n", Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK_EQUAL(get(head.headers, "x"), "1");
}

BOOST_AUTO_TEST_CASE(leading_empty_lines_are_skipped_up_to_a_few) {
  RequestHead head;
  BOOST_CHECK_EQUAL(parseRequestHead("\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, head),
                    ParseError::kNone);
  BOOST_CHECK_EQUAL(requestError("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
                    ParseError::kBadRequestLine);
}

BOOST_AUTO_TEST_CASE(post_with_content_length) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(parseRequestHead(request("Content-Length: 42\r\n"), Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.framing, BodyFraming::kContentLength);
  BOOST_CHECK_EQUAL(head.content_length, 42u);
  BOOST_CHECK_EQUAL(get(head.headers, "content-length"), "42");
}

BOOST_AUTO_TEST_CASE(content_length_zero_means_no_body) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(parseRequestHead(request("Content-Length: 0\r\n"), Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.framing, BodyFraming::kNone);
  BOOST_CHECK_EQUAL(head.content_length, 0u);
  BOOST_CHECK_EQUAL(get(head.headers, "content-length"), "0");
}

BOOST_AUTO_TEST_CASE(identical_content_lengths_are_merged) {
  for (std::string fields : {"Content-Length: 7\r\nContent-Length: 7\r\n"s,
                             "Content-Length: 7, 7,7\r\n"s, "Content-Length: 007\r\n"s}) {
    BOOST_TEST_CONTEXT(fields) {
      RequestHead head;
      BOOST_REQUIRE_EQUAL(parseRequestHead(request(fields), Limits{}, head), ParseError::kNone);
      BOOST_CHECK_EQUAL(head.content_length, 7u);
      BOOST_CHECK_EQUAL(head.headers.count("content-length"), 1u);
      BOOST_CHECK_EQUAL(get(head.headers, "content-length"), "7");
    }
  }
}

BOOST_AUTO_TEST_CASE(largest_content_length_is_below_two_to_the_63) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(
      parseRequestHead(request("Content-Length: 9223372036854775807\r\n"), Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.content_length, 9223372036854775807ull);
}

BOOST_AUTO_TEST_CASE(chunked_request) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(
      parseRequestHead(request("Transfer-Encoding: Chunked\r\nTransfer-Encoding: ,\r\n"), Limits{},
                       head),
      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.framing, BodyFraming::kChunked);
  BOOST_CHECK_EQUAL(head.headers.count("transfer-encoding"), 1u);
  BOOST_CHECK_EQUAL(get(head.headers, "transfer-encoding"), "chunked");
}

BOOST_AUTO_TEST_CASE(absolute_form_takes_authority_from_the_target) {
  struct Form {
    std::string target, authority, path, scheme;
  };
  for (const Form& f :
       {Form{"http://Example.com:8080/p?q", "Example.com:8080", "/p?q", "http"},
        Form{"http://h", "h", "/", "http"}, Form{"http://h?x=1", "h", "/?x=1", "http"},
        Form{"HTTPS://[::1]:443/", "[::1]:443", "/", "https"}}) {
    BOOST_TEST_CONTEXT(f.target) {
      RequestHead head;
      std::string input = "GET " + f.target + " HTTP/1.1\r\nHost: other\r\n\r\n";
      BOOST_REQUIRE_EQUAL(parseRequestHead(input, Limits{}, head), ParseError::kNone);
      std::vector<std::string> expected{":method", ":path", ":authority", ":scheme"};
      BOOST_CHECK(names(head.headers) == expected);
      BOOST_CHECK_EQUAL(get(head.headers, ":authority"), f.authority);
      BOOST_CHECK_EQUAL(get(head.headers, ":path"), f.path);
      BOOST_CHECK_EQUAL(get(head.headers, ":scheme"), f.scheme);
    }
  }
  // Host is still required for HTTP/1.1 (RFC 9112 §3.2).
  BOOST_CHECK_EQUAL(requestError("GET http://h/ HTTP/1.1\r\n\r\n"), ParseError::kMissingHost);
}

BOOST_AUTO_TEST_CASE(asterisk_form_for_options) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(parseRequestHead("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK_EQUAL(get(head.headers, ":path"), "*");
}

BOOST_AUTO_TEST_CASE(authority_form_for_connect) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(parseRequestHead("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443"
                                       "\r\n\r\n",
                                       Limits{}, head),
                      ParseError::kNone);
  std::vector<std::string> expected{":method", ":authority"};
  BOOST_CHECK(names(head.headers) == expected);
  BOOST_CHECK_EQUAL(get(head.headers, ":authority"), "example.com:443");
}

BOOST_AUTO_TEST_CASE(http10_defaults_and_connection_tokens) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(parseRequestHead("GET / HTTP/1.0\r\n\r\n", Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.version_minor, 0);
  BOOST_CHECK(!head.keep_alive);
  BOOST_CHECK(!head.headers.has(":authority"));
  BOOST_CHECK_EQUAL(get(head.headers, ":scheme"), "http");

  BOOST_REQUIRE_EQUAL(
      parseRequestHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK(head.keep_alive);
  BOOST_REQUIRE_EQUAL(parseRequestHead(request("Connection: foo, CLOSE\r\n"), Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK(!head.keep_alive);
  BOOST_REQUIRE_EQUAL(
      parseRequestHead(request("Connection: keep-alive, close\r\n"), Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK(!head.keep_alive);
}

BOOST_AUTO_TEST_CASE(expect_continue_only_for_http11) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(
      parseRequestHead(request("Expect: 100-Continue\r\nContent-Length: 3\r\n"), Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK(head.expect_continue);
  BOOST_CHECK_EQUAL(get(head.headers, "expect"), "100-Continue");
  BOOST_REQUIRE_EQUAL(
      parseRequestHead("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK(!head.expect_continue);
  BOOST_REQUIRE_EQUAL(parseRequestHead(request("Expect: 200-ok\r\n"), Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK(!head.expect_continue);
}

BOOST_AUTO_TEST_CASE(upgrade_needs_the_connection_token_and_the_upgrade_field) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(
      parseRequestHead(request("Connection: Upgrade\r\nUpgrade: websocket\r\n", "GET /ws HTTP/1.1"),
                       Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK(head.upgrade);
  BOOST_CHECK(head.keep_alive);
  BOOST_REQUIRE_EQUAL(parseRequestHead(request("Upgrade: websocket\r\n"), Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK(!head.upgrade);
  BOOST_REQUIRE_EQUAL(parseRequestHead(request("Connection: upgrade\r\n"), Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK(!head.upgrade);
}

BOOST_AUTO_TEST_CASE(head_is_reusable_across_parses) {
  RequestHead head;
  BOOST_REQUIRE_EQUAL(parseRequestHead(request("Transfer-Encoding: chunked\r\n"), Limits{}, head),
                      ParseError::kNone);
  BOOST_REQUIRE_EQUAL(parseRequestHead("GET / HTTP/1.0\r\n\r\n", Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.framing, BodyFraming::kNone);
  BOOST_CHECK_EQUAL(head.headers.size(), 3u);  // :method, :path, :scheme
}

BOOST_AUTO_TEST_CASE(request_line_defences) {
  checkRequestCases({
      {"G@T / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidMethod, 400},
      {"GET\"X / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidMethod, 400},
      {" GET / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET /  HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET / HTTP/1.1 \r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET\t/\tHTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET /\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET / http/1.1\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET / HTTP/1.10\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET / HTTP/11\r\nHost: h\r\n\r\n", ParseError::kBadRequestLine, 400},
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", ParseError::kUnsupportedVersion, 505},
      {"GET / HTTP/1.2\r\nHost: h\r\n\r\n", ParseError::kUnsupportedVersion, 505},
      {"GET / HTTP/0.9\r\nHost: h\r\n\r\n", ParseError::kUnsupportedVersion, 505},
      {"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET /\x7F HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET /caf\xC3\xA9 HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET /\t HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET * HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET http://user@h/ HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET http://h:8x/ HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"CONNECT h HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"CONNECT h: HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"CONNECT http://h:1/ HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kInvalidTarget, 400},
      {"GET / HTTP/1.1\r\nHost: h\r\n", ParseError::kBadRequestLine, 400},  // no empty line
      {"", ParseError::kBadRequestLine, 400},
  });
}

BOOST_AUTO_TEST_CASE(line_ending_and_field_defences) {
  checkRequestCases({
      {"GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", ParseError::kBareCR, 400},
      {"GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::kBareCR, 400},
      {request("X: a\rb\r\n"), ParseError::kBareCR, 400},
      {request("X\r: a\r\n"), ParseError::kBareCR, 400},
      {request("X: a\r\r\n"), ParseError::kBareCR, 400},
      {request("\r\r\n"), ParseError::kBareCR, 400},
      {request("X: 1\r\n folded\r\n"), ParseError::kObsFold, 400},
      {request("X: 1\r\n\tfolded\r\n"), ParseError::kObsFold, 400},
      {"GET / HTTP/1.1\r\n Host: h\r\n\r\n", ParseError::kObsFold, 400},
      {request("X : a\r\n"), ParseError::kBadHeaderName, 400},
      {request("X\t: a\r\n"), ParseError::kBadHeaderName, 400},
      {request(": a\r\n"), ParseError::kBadHeaderName, 400},
      {request(":path: /admin\r\n"), ParseError::kBadHeaderName, 400},
      {request("No-Colon\r\n"), ParseError::kBadHeaderName, 400},
      {request("X@Y: a\r\n"), ParseError::kBadHeaderName, 400},
      {request("X\xE9: a\r\n"), ParseError::kBadHeaderName, 400},
      {request("X: a\0b\r\n"s), ParseError::kBadHeaderValue, 400},
      {request("X: a\x01\r\n"), ParseError::kBadHeaderValue, 400},
      {request("X: a\x7F\r\n"), ParseError::kBadHeaderValue, 400},
      {request("X: a\x1B[31m\r\n"), ParseError::kBadHeaderValue, 400},
  });
}

// The value and target checks skip 8 bytes at a time; every byte value at every position of a
// word must still be judged exactly as the byte classes say.
BOOST_AUTO_TEST_CASE(every_byte_value_at_every_word_position) {
  for (int b = 0; b < 256; ++b) {
    if (b == '\n') continue;  // ends the line: covered by the line-ending tests
    for (size_t pos = 0; pos < 17; ++pos) {
      std::string text(17, 'a');
      text[pos] = static_cast<char>(b);
      bool value_ok = b == '\t' || (b >= 0x20 && b != 0x7f);
      bool target_ok = b > 0x20 && b < 0x7f;
      BOOST_TEST_CONTEXT("byte " << b << " at " << pos) {
        BOOST_CHECK_EQUAL(requestError(request("X: " + text + "\r\n")) == ParseError::kNone,
                          value_ok);
        BOOST_CHECK_EQUAL(
            requestError("GET /" + text + " HTTP/1.1\r\nHost: h\r\n\r\n") == ParseError::kNone,
            target_ok);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(host_defences) {
  checkRequestCases({
      {"GET / HTTP/1.1\r\nX: y\r\n\r\n", ParseError::kMissingHost, 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", ParseError::kDuplicateHost, 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", ParseError::kDuplicateHost, 400},
      {"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", ParseError::kDuplicateHost, 400},
      {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", ParseError::kBadHeaderValue, 400},
      {"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", ParseError::kBadHeaderValue, 400},
      {"GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", ParseError::kBadHeaderValue, 400},
      {"GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", ParseError::kBadHeaderValue, 400},
  });
}

BOOST_AUTO_TEST_CASE(content_length_defences) {
  checkRequestCases({
      {request("Content-Length: abc\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: -1\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: +1\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 0x10\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 1.0\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 1 2\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length:\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 5,\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 5, 6\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 5\r\nContent-Length: 6\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 9223372036854775808\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 99999999999999999999999\r\n"), ParseError::kBadContentLength, 400},
      {request("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
       ParseError::kContentLengthAndTransferEncoding, 400},
      {request("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"),
       ParseError::kContentLengthAndTransferEncoding, 400},
  });
}

BOOST_AUTO_TEST_CASE(transfer_encoding_defences) {
  checkRequestCases({
      {request("Transfer-Encoding: gzip\r\n"), ParseError::kUnknownTransferEncoding, 501},
      {request("Transfer-Encoding: identity\r\n"), ParseError::kUnknownTransferEncoding, 501},
      {request("Transfer-Encoding: x-foo\r\n"), ParseError::kUnknownTransferEncoding, 501},
      {request("Transfer-Encoding: gzip, chunked\r\n"), ParseError::kUnknownTransferEncoding, 501},
      {request("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
       ParseError::kUnknownTransferEncoding, 501},
      {request("Transfer-Encoding: chunked;q=1\r\n"), ParseError::kUnknownTransferEncoding, 501},
      {request("Transfer-Encoding: xchunked\r\n"), ParseError::kUnknownTransferEncoding, 501},
      {request("Transfer-Encoding: chunked, gzip\r\n"), ParseError::kChunkedNotFinal, 400},
      {request("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"),
       ParseError::kChunkedNotFinal, 400},
      {request("Transfer-Encoding: chunked, chunked\r\n"), ParseError::kChunkedNotFinal, 400},
      {request("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
       ParseError::kChunkedNotFinal, 400},
      {request("Transfer-Encoding:\r\n"), ParseError::kChunkedNotFinal, 400},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ParseError::kChunkedNotFinal, 400},
      {request("Transfer-Encoding : chunked\r\n"), ParseError::kBadHeaderName, 400},
      {request("Transfer-Encoding: \x0B"
               "chunked\r\n"),
       ParseError::kBadHeaderValue, 400},
  });
}

BOOST_AUTO_TEST_CASE(limits_in_the_parser) {
  Limits limits;
  limits.max_headers = 3;
  BOOST_CHECK_EQUAL(requestError(request("A: 1\r\nB: 2\r\n"), limits), ParseError::kNone);
  ParseError error = requestError(request("A: 1\r\nB: 2\r\nC: 3\r\n"), limits);
  BOOST_CHECK_EQUAL(error, ParseError::kTooManyHeaders);
  BOOST_CHECK_EQUAL(statusFor(error), 431);

  limits = Limits{};
  limits.max_request_line = 14;
  BOOST_CHECK_EQUAL(requestError("GET / HTTP/1.1\r\nHost: h\r\n\r\n", limits), ParseError::kNone);
  error = requestError("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", limits);
  BOOST_CHECK_EQUAL(error, ParseError::kRequestLineTooLong);
  BOOST_CHECK_EQUAL(statusFor(error), 414);

  limits = Limits{};
  limits.max_header_bytes = 20;
  error = requestError("GET / HTTP/1.1\r\nHost: h\r\n\r\n", limits);
  BOOST_CHECK_EQUAL(error, ParseError::kHeadersTooLarge);
  BOOST_CHECK_EQUAL(statusFor(error), 431);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http1_response_head)

struct Framed {
  std::string head;
  std::string method;
  BodyFraming framing;
  bool keep_alive;
};

BOOST_AUTO_TEST_CASE(status_line_and_pseudo_header) {
  ResponseHead head;
  BOOST_REQUIRE_EQUAL(parseResponseHead("HTTP/1.1 404 Not Found\r\nServer: s\r\nContent-Length: 3"
                                        "\r\n\r\n",
                                        "GET", Limits{}, head),
                      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.status, 404);
  BOOST_CHECK_EQUAL(head.version_minor, 1);
  std::vector<std::string> expected{":status", "server", "content-length"};
  BOOST_CHECK(names(head.headers) == expected);
  BOOST_CHECK_EQUAL(get(head.headers, ":status"), "404");
  BOOST_CHECK_EQUAL(head.framing, BodyFraming::kContentLength);
  BOOST_CHECK_EQUAL(head.content_length, 3u);
  BOOST_CHECK(head.keep_alive);
}

BOOST_AUTO_TEST_CASE(framing_rules) {
  const std::vector<Framed> cases{
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HEAD", BodyFraming::kNone, true},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD", BodyFraming::kNone, true},
      {"HTTP/1.1 100 Continue\r\n\r\n", "POST", BodyFraming::kNone, true},
      {"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
       "GET", BodyFraming::kNone, true},
      {"HTTP/1.1 204 No Content\r\n\r\n", "GET", BodyFraming::kNone, true},
      {"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "GET", BodyFraming::kNone, true},
      {"HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT", BodyFraming::kNone, true},
      {"HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\n", "CONNECT", BodyFraming::kContentLength,
       true},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", BodyFraming::kChunked, true},
      {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", BodyFraming::kNone, true},
      {"HTTP/1.1 200 OK\r\n\r\n", "GET", BodyFraming::kUntilClose, false},
      {"HTTP/1.1 200\r\n\r\n", "GET", BodyFraming::kUntilClose, false},
      {"HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\n", "GET", BodyFraming::kContentLength, true},
      {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", "GET",
       BodyFraming::kContentLength, false},
      {"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", "GET", BodyFraming::kContentLength, false},
      {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", "GET",
       BodyFraming::kContentLength, true},
      {"HTTP/1.1 200 OK\nContent-Length: 1\n\n", "GET", BodyFraming::kContentLength, true},
  };
  for (const Framed& c : cases) {
    BOOST_TEST_CONTEXT(c.method << " -> " << c.head) {
      ResponseHead head;
      BOOST_REQUIRE_EQUAL(parseResponseHead(c.head, c.method, Limits{}, head), ParseError::kNone);
      BOOST_CHECK_EQUAL(head.framing, c.framing);
      BOOST_CHECK_EQUAL(head.keep_alive, c.keep_alive);
    }
  }
}

BOOST_AUTO_TEST_CASE(host_is_a_regular_field_in_responses) {
  ResponseHead head;
  BOOST_REQUIRE_EQUAL(
      parseResponseHead("HTTP/1.1 200 OK\r\nHost: a\r\nHost: b\r\n\r\n", "GET", Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.headers.count("host"), 2u);
}

BOOST_AUTO_TEST_CASE(response_defences) {
  const std::vector<std::pair<std::string, ParseError>> cases{
      {"HTTP/1.1 20 OK\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 2000 OK\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 200OK\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1  200 OK\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 099 Low\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 600 High\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 2x0 OK\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/2.0 200 OK\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.2 200 OK\r\n\r\n", ParseError::kBadStatusLine},
      {"http/1.1 200 OK\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 200 O\x01K\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 200 OK\r\n", ParseError::kBadStatusLine},
      {"\r\n\r\n", ParseError::kBadStatusLine},
      {"HTTP/1.1 200 O\rK\r\n\r\n", ParseError::kBareCR},
      {"HTTP/1.1 200 OK\r\nX: 1\r\n y\r\n\r\n", ParseError::kObsFold},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       ParseError::kBadContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       ParseError::kContentLengthAndTransferEncoding},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", ParseError::kUnknownTransferEncoding},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", ParseError::kChunkedNotFinal},
      {"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ParseError::kChunkedNotFinal},
  };
  for (const auto& [input, expected] : cases) {
    BOOST_TEST_CONTEXT(input) { BOOST_CHECK_EQUAL(responseError(input), expected); }
  }
  BOOST_CHECK_EQUAL(statusFor(ParseError::kBadStatusLine), 502);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http1_scan_head)

HeadScan scan(std::string_view data, bool is_request = true, const Limits& limits = Limits{}) {
  return scanHead(data, limits, is_request);
}

BOOST_AUTO_TEST_CASE(finds_the_end_of_the_first_of_pipelined_heads) {
  std::string first = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n";
  std::string second = "GET /2 HTTP/1.1\nHost: h\n\n";
  std::string both = first + second;
  HeadScan result = scan(both);
  BOOST_REQUIRE_EQUAL(result.state, HeadScan::State::kComplete);
  BOOST_CHECK_EQUAL(result.head_length, first.size());
  result = scan(std::string_view(both).substr(first.size()));
  BOOST_REQUIRE_EQUAL(result.state, HeadScan::State::kComplete);
  BOOST_CHECK_EQUAL(result.head_length, second.size());
}

BOOST_AUTO_TEST_CASE(every_proper_prefix_is_incomplete) {
  for (std::string head : {"GET / HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\n"s,
                           "GET / HTTP/1.1\nHost: h\n\n"s, "GET / HTTP/1.1\r\nHost: h\r\n\n"s,
                           "GET / HTTP/1.1\nHost: h\n\r\n"s, "\r\n\nGET / HTTP/1.0\r\n\r\n"s}) {
    BOOST_TEST_CONTEXT(head) {
      for (size_t n = 0; n < head.size(); ++n) {
        BOOST_CHECK_EQUAL(scan(head.substr(0, n)).state, HeadScan::State::kIncomplete);
      }
      HeadScan result = scan(head + "POST");
      BOOST_REQUIRE_EQUAL(result.state, HeadScan::State::kComplete);
      BOOST_CHECK_EQUAL(result.head_length, head.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(too_many_leading_empty_lines_are_refused) {
  HeadScan result = scan("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  BOOST_CHECK_EQUAL(result.state, HeadScan::State::kError);
  BOOST_CHECK_EQUAL(result.error, ParseError::kBadRequestLine);
  // Responses skip nothing: the empty first line is the (bad) status line.
  result = scan("\r\n\r\n", false);
  BOOST_REQUIRE_EQUAL(result.state, HeadScan::State::kComplete);
  BOOST_CHECK_EQUAL(result.head_length, 4u);
}

BOOST_AUTO_TEST_CASE(request_line_limit_is_reported_before_the_line_ends) {
  Limits limits;
  limits.max_request_line = 16;
  std::string line16 = "GET /23456789012";  // 16 bytes
  BOOST_CHECK_EQUAL(scan(line16, true, limits).state, HeadScan::State::kIncomplete);
  BOOST_CHECK_EQUAL(scan(line16 + "\r", true, limits).state, HeadScan::State::kIncomplete);
  BOOST_CHECK_EQUAL(scan(line16 + "\r\nHost: h\r\n\r\n", true, limits).state,
                    HeadScan::State::kComplete);
  HeadScan result = scan(line16 + "3", true, limits);
  BOOST_CHECK_EQUAL(result.state, HeadScan::State::kError);
  BOOST_CHECK_EQUAL(result.error, ParseError::kRequestLineTooLong);
  result = scan(line16 + "3\n\n", true, limits);
  BOOST_CHECK_EQUAL(result.error, ParseError::kRequestLineTooLong);
  result = scan(line16 + "3" + std::string(100000, 'a'), true, limits);
  BOOST_CHECK_EQUAL(result.error, ParseError::kRequestLineTooLong);
  // A status line has no such limit.
  BOOST_CHECK_EQUAL(scan(line16 + "3", false, limits).state, HeadScan::State::kIncomplete);
}

BOOST_AUTO_TEST_CASE(head_limit_is_reported_before_the_head_ends) {
  Limits limits;
  limits.max_header_bytes = 32;
  std::string head = "GET / HTTP/1.1\r\nHost: hhhhhhhh\r\n\r\n";  // 34 bytes
  BOOST_REQUIRE_EQUAL(head.size(), 34u);
  limits.max_header_bytes = 34;
  BOOST_CHECK_EQUAL(scan(head, true, limits).state, HeadScan::State::kComplete);
  BOOST_CHECK_EQUAL(scan("\r\n" + head, true, limits).state, HeadScan::State::kComplete);
  limits.max_header_bytes = 33;
  for (size_t n : {33u, 34u}) {
    HeadScan result = scan(head.substr(0, n), true, limits);
    BOOST_CHECK_EQUAL(result.state, HeadScan::State::kError);
    BOOST_CHECK_EQUAL(result.error, ParseError::kHeadersTooLarge);
  }
  BOOST_CHECK_EQUAL(scan(head.substr(0, 32), true, limits).state, HeadScan::State::kIncomplete);
  BOOST_CHECK_EQUAL(scan(head.substr(0, 33), false, limits).error, ParseError::kHeadersTooLarge);
  std::string flood = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 20000; ++i) flood += "X: y\r\n";
  BOOST_CHECK_EQUAL(scan(flood).error, ParseError::kHeadersTooLarge);
}

BOOST_AUTO_TEST_CASE(scanned_head_parses) {
  std::string data = "\r\nPOST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody";
  HeadScan result = scan(data);
  BOOST_REQUIRE_EQUAL(result.state, HeadScan::State::kComplete);
  BOOST_CHECK_EQUAL(data.substr(result.head_length), "body");
  RequestHead head;
  BOOST_REQUIRE_EQUAL(
      parseRequestHead(std::string_view(data).substr(0, result.head_length), Limits{}, head),
      ParseError::kNone);
  BOOST_CHECK_EQUAL(head.content_length, 4u);
  // Bytes after the empty line are not part of the head, nor counted against its limit.
  Limits limits;
  limits.max_header_bytes = result.head_length - 2;
  BOOST_CHECK_EQUAL(parseRequestHead(data + std::string(100, 'x'), limits, head),
                    ParseError::kNone);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http1_chunked)

struct Decoded {
  std::string body;
  http::HeaderMap trailers;
  bool done = false;
  ParseError error = ParseError::kNone;
  size_t consumed = 0;
};

// Feeds `input` in pieces of `piece` bytes, keeping unconsumed bytes buffered as a codec would,
// and checks the step invariants on the way.
Decoded decode(std::string_view input, size_t piece = std::string_view::npos) {
  ChunkedDecoder decoder;
  Decoded result;
  std::string buffer;
  for (size_t pos = 0; pos < input.size() && !result.done && result.error == ParseError::kNone;
       pos += piece) {
    buffer.append(input.substr(pos, piece));
    while (true) {
      ChunkedDecoder::Step step = decoder.next(buffer, result.trailers);
      BOOST_REQUIRE_LE(step.consumed, buffer.size());
      BOOST_REQUIRE_LE(step.data_offset + step.data_length, step.consumed);
      result.body.append(buffer, step.data_offset, step.data_length);
      buffer.erase(0, step.consumed);
      result.consumed += step.consumed;
      if (step.error != ParseError::kNone) {
        result.error = step.error;
        break;
      }
      if (step.done) {
        BOOST_CHECK(decoder.done());
        result.done = true;
        break;
      }
      if (step.consumed == 0) break;
    }
  }
  return result;
}

BOOST_AUTO_TEST_CASE(decodes_chunks_and_stops_at_the_end) {
  std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  Decoded result = decode(body + "GET / HTTP/1.1\r\n");
  BOOST_CHECK(result.done);
  BOOST_CHECK_EQUAL(result.error, ParseError::kNone);
  BOOST_CHECK_EQUAL(result.body, "hello world");
  BOOST_CHECK_EQUAL(result.consumed, body.size());
  BOOST_CHECK(result.trailers.empty());
}

BOOST_AUTO_TEST_CASE(one_step_is_one_line_or_one_data_run) {
  ChunkedDecoder decoder;
  http::HeaderMap trailers;
  std::string_view input = "3\r\nabc\r\n0\r\n\r\n";
  ChunkedDecoder::Step step = decoder.next(input, trailers);
  BOOST_CHECK_EQUAL(step.consumed, 3u);
  BOOST_CHECK_EQUAL(step.data_length, 0u);
  input.remove_prefix(step.consumed);
  step = decoder.next(input, trailers);
  BOOST_CHECK_EQUAL(step.consumed, 3u);
  BOOST_CHECK_EQUAL(input.substr(step.data_offset, step.data_length), "abc");
  input.remove_prefix(step.consumed);
  step = decoder.next(input, trailers);
  BOOST_CHECK_EQUAL(step.consumed, 2u);
  input.remove_prefix(step.consumed);
  step = decoder.next(input, trailers);
  BOOST_CHECK_EQUAL(step.consumed, 3u);
  input.remove_prefix(step.consumed);
  step = decoder.next(input, trailers);
  BOOST_CHECK_EQUAL(step.consumed, 2u);
  BOOST_CHECK(step.done);
  step = decoder.next("more", trailers);
  BOOST_CHECK(step.done);
  BOOST_CHECK_EQUAL(step.consumed, 0u);
}

BOOST_AUTO_TEST_CASE(split_at_every_byte_position_gives_the_same_result) {
  std::string input =
      "A;ext=\"q\\\"x\"\r\n0123456789\r\n1\nz\n0;last\r\nX-Sum: abc\r\nX-Two: 2\r\n\r\n";
  Decoded whole = decode(input);
  BOOST_REQUIRE(whole.done);
  BOOST_CHECK_EQUAL(whole.body, "0123456789z");
  for (size_t split = 1; split < input.size(); ++split) {
    BOOST_TEST_CONTEXT("split " << split) {
      Decoded parts = decode(input, split);
      BOOST_CHECK(parts.done);
      BOOST_CHECK_EQUAL(parts.body, whole.body);
      BOOST_CHECK_EQUAL(parts.consumed, input.size());
      BOOST_CHECK_EQUAL(parts.trailers.size(), 2u);
    }
  }
}

BOOST_AUTO_TEST_CASE(trailers_are_collected_lower_cased) {
  Decoded result = decode("0\r\nX-Checksum: abc \r\nX-Other:1\r\n\r\n");
  BOOST_REQUIRE(result.done);
  BOOST_REQUIRE_EQUAL(result.trailers.size(), 2u);
  BOOST_CHECK_EQUAL(result.trailers.at(0).name, "x-checksum");
  BOOST_CHECK_EQUAL(result.trailers.at(0).value, "abc");
  BOOST_CHECK_EQUAL(result.trailers.at(1).value, "1");
}

BOOST_AUTO_TEST_CASE(sizes_hex_case_and_extensions) {
  for (std::string input : {"a\r\n0123456789\r\n0\r\n\r\n"s, "A\r\n0123456789\r\n0\r\n\r\n"s,
                            "0000A\r\n0123456789\r\n0\r\n\r\n"s, "A;n\r\n0123456789\r\n0\r\n\r\n"s,
                            "A ; n = v ;m=\"a b\"\r\n0123456789\r\n0\r\n\r\n"s}) {
    BOOST_TEST_CONTEXT(input) {
      Decoded result = decode(input);
      BOOST_CHECK(result.done);
      BOOST_CHECK_EQUAL(result.body, "0123456789");
    }
  }
}

BOOST_AUTO_TEST_CASE(incomplete_input_waits) {
  Decoded result = decode("5\r\nhel");
  BOOST_CHECK(!result.done);
  BOOST_CHECK_EQUAL(result.error, ParseError::kNone);
  BOOST_CHECK_EQUAL(result.body, "hel");
  ChunkedDecoder decoder;
  http::HeaderMap trailers;
  for (std::string_view partial : {"", "5", "5\r", "5;a=\"b"}) {
    ChunkedDecoder::Step step = decoder.next(partial, trailers);
    BOOST_CHECK_EQUAL(step.consumed, 0u);
    BOOST_CHECK_EQUAL(step.error, ParseError::kNone);
  }
}

BOOST_AUTO_TEST_CASE(chunk_defences) {
  const std::vector<std::pair<std::string, ParseError>> cases{
      {"\r\n", ParseError::kBadChunkSize},
      {" 5\r\nhello\r\n0\r\n\r\n", ParseError::kBadChunkSize},
      {"5 \r\nhello\r\n0\r\n\r\n", ParseError::kBadChunkSize},
      {"-5\r\n", ParseError::kBadChunkSize},
      {"+5\r\n", ParseError::kBadChunkSize},
      {"0x5\r\n", ParseError::kBadChunkSize},
      {"g\r\n", ParseError::kBadChunkSize},
      {"5\r\r\nhello\r\n", ParseError::kBadChunkSize},
      {"5;\r\nhello\r\n", ParseError::kBadChunkSize},
      {"5;a=\r\nhello\r\n", ParseError::kBadChunkSize},
      {"5;a=\"b\r\nhello\r\n", ParseError::kBadChunkSize},
      {"5;a b\r\nhello\r\n", ParseError::kBadChunkSize},
      {"5;a \r\nhello\r\n", ParseError::kBadChunkSize},
      {"5;a\x01\r\nhello\r\n", ParseError::kBadChunkSize},
      {"8000000000000000\r\n", ParseError::kBadChunkSize},
      {"fffffffffffffffff\r\n", ParseError::kBadChunkSize},
      {"5\r\nhelloX\r\n0\r\n\r\n", ParseError::kBadChunkData},
      {"5\r\nhello\r0\r\n\r\n", ParseError::kBadChunkData},
      {"5\r\nhello0\r\n\r\n", ParseError::kBadChunkData},
      {"0\r\nBad Name: x\r\n\r\n", ParseError::kBadTrailer},
      {"0\r\nX: 1\r\n folded\r\n\r\n", ParseError::kBadTrailer},
      {"0\r\nX: a\rb\r\n\r\n", ParseError::kBadTrailer},
      {"0\r\nX: a\x01\r\n\r\n", ParseError::kBadTrailer},
      {"0\r\nContent-Length: 5\r\n\r\n", ParseError::kBadTrailer},
      {"0\r\nTransfer-Encoding: chunked\r\n\r\n", ParseError::kBadTrailer},
      {"0\r\nHost: evil\r\n\r\n", ParseError::kBadTrailer},
  };
  for (const auto& [input, expected] : cases) {
    BOOST_TEST_CONTEXT(input) {
      BOOST_CHECK_EQUAL(decode(input).error, expected);
      BOOST_CHECK_EQUAL(decode(input, 1).error, expected);
      BOOST_CHECK_EQUAL(statusFor(expected), 400);
    }
  }
}

BOOST_AUTO_TEST_CASE(largest_chunk_size_is_accepted) {
  ChunkedDecoder decoder;
  http::HeaderMap trailers;
  ChunkedDecoder::Step step = decoder.next("7fffffffffffffff\r\nabc", trailers);
  BOOST_CHECK_EQUAL(step.error, ParseError::kNone);
  BOOST_CHECK_EQUAL(step.consumed, 18u);
  step = decoder.next("abc", trailers);
  BOOST_CHECK_EQUAL(step.data_length, 3u);
}

BOOST_AUTO_TEST_CASE(size_line_is_bounded) {
  const size_t max = ChunkedDecoder::kMaxLine;
  std::string prefix = "1;a=";
  std::string fits = prefix + std::string(max - prefix.size() - 2, 'b') + "\r\n";
  BOOST_REQUIRE_EQUAL(fits.size(), max);
  BOOST_CHECK(decode(fits + "x\r\n0\r\n\r\n").done);
  std::string over = prefix + std::string(max - prefix.size() - 1, 'b') + "\r\n";
  BOOST_CHECK_EQUAL(decode(over + "x\r\n0\r\n\r\n").error, ParseError::kBadChunkSize);
  BOOST_CHECK_EQUAL(decode(over.substr(0, max), 7).error, ParseError::kBadChunkSize);
  BOOST_CHECK_EQUAL(decode(std::string(max * 4, '0')).error, ParseError::kBadChunkSize);
}

BOOST_AUTO_TEST_CASE(trailer_section_is_bounded) {
  std::string trailers;
  while (trailers.size() < ChunkedDecoder::kMaxLine) trailers += "X-T: 0123456789\r\n";
  BOOST_CHECK_EQUAL(decode("0\r\n" + trailers + "\r\n").error, ParseError::kBadTrailer);
  BOOST_CHECK_EQUAL(decode("0\r\n" + trailers, 5).error, ParseError::kBadTrailer);
}

BOOST_AUTO_TEST_CASE(errors_stick) {
  ChunkedDecoder decoder;
  http::HeaderMap trailers;
  BOOST_CHECK_EQUAL(decoder.next("z\r\n", trailers).error, ParseError::kBadChunkSize);
  ChunkedDecoder::Step step = decoder.next("5\r\n", trailers);
  BOOST_CHECK_EQUAL(step.error, ParseError::kBadChunkSize);
  BOOST_CHECK_EQUAL(step.consumed, 0u);
  BOOST_CHECK(!decoder.done());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http1_errors)

BOOST_AUTO_TEST_CASE(every_error_has_a_name_and_a_status) {
  std::set<std::string_view> seen;
  for (int i = 0; i < static_cast<int>(ParseError::kCount); ++i) {
    auto error = static_cast<ParseError>(i);
    std::string_view name = nameOf(error);
    BOOST_TEST_CONTEXT(name) {
      BOOST_CHECK(name != "unknown" && !name.empty());
      BOOST_CHECK(seen.insert(name).second);
      int status = statusFor(error);
      BOOST_CHECK(status == 200 || status == 400 || status == 414 || status == 431 ||
                  status == 501 || status == 502 || status == 505);
    }
  }
  BOOST_CHECK_EQUAL(nameOf(ParseError::kBadContentLength), "bad_content_length");
  BOOST_CHECK_EQUAL(statusFor(ParseError::kNone), 200);
  BOOST_CHECK_EQUAL(statusFor(ParseError::kBadRequestLine), 400);
  BOOST_CHECK_EQUAL(statusFor(ParseError::kRequestLineTooLong), 414);
  BOOST_CHECK_EQUAL(statusFor(ParseError::kHeadersTooLarge), 431);
  BOOST_CHECK_EQUAL(statusFor(ParseError::kTooManyHeaders), 431);
  BOOST_CHECK_EQUAL(statusFor(ParseError::kUnknownTransferEncoding), 501);
  BOOST_CHECK_EQUAL(statusFor(ParseError::kUnsupportedVersion), 505);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::http1
