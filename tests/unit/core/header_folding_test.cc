// Case folding of field names (done eight bytes at a time) checked against a byte-by-byte
// reference for every length around the word size, bytes above 0x7f left alone; a field added from
// a view of the map's own storage; and the HTTP/1 head helpers that read a map in one pass
// (pseudo-headers, regular fields with what they skip, the status code).
#include <boost/test/unit_test.hpp>
#include <string>

#include "core/http/header_map.h"
#include "core/http/http1_encoding.h"

namespace weft::http {
namespace {

std::string referenceLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}

// A name of `n` bytes mixing upper case, lower case, digits, '-', '@', '[' and bytes >= 0x80.
std::string mixedName(size_t n, size_t seed) {
  static constexpr char kBytes[] = "AbZz09-@[`{\xc0\xdaQ";
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(kBytes[(i * 7 + seed) % (sizeof(kBytes) - 1)]);
  return s;
}

BOOST_AUTO_TEST_SUITE(header_folding)

BOOST_AUTO_TEST_CASE(names_are_lowered_like_the_reference_at_every_length) {
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t seed = 0; seed < 5; ++seed) {
      const std::string name = mixedName(n, seed);
      HeaderMap map;
      map.add(name, "v");
      BOOST_REQUIRE_EQUAL(map.at(0).name, referenceLower(name));
    }
  }
}

BOOST_AUTO_TEST_CASE(equals_ignore_case_matches_the_reference_at_every_length) {
  for (size_t n = 1; n <= 40; ++n) {
    const std::string name = mixedName(n, n);
    const std::string lower = referenceLower(name);
    BOOST_REQUIRE(equalsIgnoreCase(name, lower));
    for (size_t at = 0; at < n; ++at) {
      std::string other = lower;
      other[at] = other[at] == 'q' ? 'r' : 'q';
      BOOST_REQUIRE(!equalsIgnoreCase(name, other));
    }
    // Only ASCII letters fold: 0xc0 is not 0xe0, '@' is not '`', '[' is not '{'.
    std::string high = std::string(n, 'a');
    high[n - 1] = '\xc0';
    BOOST_REQUIRE(!equalsIgnoreCase(high, std::string(n - 1, 'a') + "\xe0"));
    BOOST_REQUIRE(!equalsIgnoreCase(std::string(n, '@'), std::string(n, '`')));
    BOOST_REQUIRE(!equalsIgnoreCase(std::string(n, '['), std::string(n, '{')));
  }
  BOOST_CHECK(equalsIgnoreCase("X-Forwarded-Proto", "x-forwarded-proto"));
  BOOST_CHECK(!equalsIgnoreCase("x-forwarded-prots", "x-forwarded-proto"));
}

BOOST_AUTO_TEST_CASE(a_field_copied_from_the_map_itself_survives_growth) {
  const std::string name = "x-original-value-long-enough-to-live-on-the-heap";
  const std::string value = "a value that is not short";
  HeaderMap map;
  map.add(name, value);
  // Each copy views the map's own first field; along the way the vector grows several times.
  for (int i = 0; i < 64; ++i) map.add("x-copy", *map.get(name));
  BOOST_REQUIRE_EQUAL(map.count("x-copy"), 64u);
  for (size_t i = 0; i < 64; ++i) BOOST_REQUIRE_EQUAL(*map.get("x-copy", i), value);
  map.add(":path", *map.get("x-copy", 63));  // inserted at the front: every entry moves
  BOOST_CHECK_EQUAL(*map.get(":path"), value);
  BOOST_CHECK_EQUAL(map.at(0).name, ":path");
}

BOOST_AUTO_TEST_CASE(head_helpers_read_pseudo_headers_and_fields_in_one_pass) {
  namespace enc = http1_encoding;
  HeaderMap map;
  map.add(":method", "GET");
  map.add(":path", "/a");
  map.add(":authority", "example.com");
  map.add("Content-Length", "5");
  map.add("accept", "*/*");
  map.add("content-length", "7");
  map.add("Connection", "close");
  map.add("Upgrade", "websocket");
  const enc::PseudoHeaders pseudo = enc::pseudoHeaders(map);
  BOOST_CHECK_EQUAL(pseudo.count, 3u);
  BOOST_REQUIRE(pseudo.method && pseudo.path && pseudo.authority);
  BOOST_CHECK_EQUAL(*pseudo.method, "GET");
  BOOST_CHECK_EQUAL(*pseudo.path, "/a");
  BOOST_CHECK_EQUAL(*pseudo.authority, "example.com");
  BOOST_CHECK(pseudo.status == nullptr);
  std::string out;
  const enc::FieldsSeen seen = enc::appendFields(out, map, pseudo.count);
  BOOST_CHECK_EQUAL(out, "accept: */*\r\nupgrade: websocket\r\n");
  BOOST_REQUIRE(seen.content_length != nullptr);
  BOOST_CHECK_EQUAL(*seen.content_length, "5");
  BOOST_CHECK(seen.upgrade);
}

BOOST_AUTO_TEST_CASE(status_code_reads_like_atoi) {
  namespace enc = http1_encoding;
  const std::string ok = "200", padded = " 404", long_code = "1000", text = "abc";
  BOOST_CHECK_EQUAL(enc::statusCode(nullptr), 500);
  BOOST_CHECK_EQUAL(enc::statusCode(&ok), 200);
  BOOST_CHECK_EQUAL(enc::statusCode(&padded), 404);
  BOOST_CHECK_EQUAL(enc::statusCode(&long_code), 1000);
  BOOST_CHECK_EQUAL(enc::statusCode(&text), 0);
  std::string line;
  enc::appendStatusLine(line, 0, 503);
  BOOST_CHECK_EQUAL(line, "HTTP/1.0 503 Service Unavailable\r\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::http
