// Tests for http::HeaderMap: ordering of pseudo-headers, case-insensitive lookups, set/remove.
#include "core/http/header_map.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

namespace weft::http {
namespace {

std::vector<std::string> names(const HeaderMap& map) {
  std::vector<std::string> out;
  for (const auto& entry : map) out.push_back(entry.name);
  return out;
}

BOOST_AUTO_TEST_SUITE(header_map)

BOOST_AUTO_TEST_CASE(add_lowercases_names_and_keeps_values) {
  HeaderMap map;
  map.add("Content-Type", "Text/HTML");
  BOOST_REQUIRE_EQUAL(map.size(), 1u);
  BOOST_CHECK_EQUAL(map.at(0).name, "content-type");
  BOOST_CHECK_EQUAL(map.at(0).value, "Text/HTML");
  BOOST_REQUIRE(map.get("CONTENT-TYPE") != nullptr);
  BOOST_CHECK_EQUAL(*map.get("content-Type"), "Text/HTML");
  BOOST_CHECK(map.get("content-length") == nullptr);
  BOOST_CHECK(map.has("content-type"));
  BOOST_CHECK(!map.has("content-typ"));
}

BOOST_AUTO_TEST_CASE(pseudo_headers_go_before_regular_fields_in_order) {
  HeaderMap map;
  map.add("user-agent", "u");
  map.add(":method", "GET");
  map.add("accept", "*/*");
  map.add(":path", "/");
  std::vector<std::string> expected{":method", ":path", "user-agent", "accept"};
  BOOST_CHECK(names(map) == expected);
}

BOOST_AUTO_TEST_CASE(multiple_values_are_counted_and_indexed) {
  HeaderMap map;
  map.add("x-a", "1");
  map.add("x-b", "2");
  map.add("X-A", "3");
  BOOST_CHECK_EQUAL(map.count("x-a"), 2u);
  BOOST_CHECK_EQUAL(map.count("X-B"), 1u);
  BOOST_CHECK_EQUAL(map.count("x-c"), 0u);
  BOOST_REQUIRE(map.get("x-a", 1) != nullptr);
  BOOST_CHECK_EQUAL(*map.get("x-a", 0), "1");
  BOOST_CHECK_EQUAL(*map.get("x-a", 1), "3");
  BOOST_CHECK(map.get("x-a", 2) == nullptr);
}

BOOST_AUTO_TEST_CASE(set_replaces_every_value_at_the_first_position) {
  HeaderMap map;
  map.add("x-a", "1");
  map.add("x-b", "2");
  map.add("x-a", "3");
  map.set("X-A", "9");
  std::vector<std::string> expected{"x-a", "x-b"};
  BOOST_CHECK(names(map) == expected);
  BOOST_CHECK_EQUAL(*map.get("x-a"), "9");
  map.set("x-new", "n");
  BOOST_CHECK_EQUAL(map.size(), 3u);
  BOOST_CHECK_EQUAL(map.at(2).name, "x-new");
}

BOOST_AUTO_TEST_CASE(remove_returns_how_many_went) {
  HeaderMap map;
  map.add("x-a", "1");
  map.add("x-b", "2");
  map.add("x-a", "3");
  BOOST_CHECK_EQUAL(map.remove("X-A"), 2u);
  BOOST_CHECK_EQUAL(map.remove("x-a"), 0u);
  BOOST_REQUIRE_EQUAL(map.size(), 1u);
  BOOST_CHECK_EQUAL(map.at(0).name, "x-b");
}

BOOST_AUTO_TEST_CASE(byte_size_counts_names_and_values) {
  HeaderMap map;
  BOOST_CHECK(map.empty());
  map.add("ab", "cde");
  map.add(":status", "200");
  BOOST_CHECK_EQUAL(map.byteSize(), 5u + 10u);
  map.clear();
  BOOST_CHECK(map.empty());
  BOOST_CHECK_EQUAL(map.byteSize(), 0u);
}

BOOST_AUTO_TEST_CASE(status_code_reads_three_digits_or_nothing) {
  HeaderMap headers;
  BOOST_TEST(headers.statusCode() == 0u);
  headers.add(":status", "204");
  BOOST_TEST(headers.statusCode() == 204u);
  for (const char* bad : {"20", "2040", "2x4", " 20", ""}) {
    headers.set(":status", bad);
    BOOST_TEST(headers.statusCode() == 0u, bad);
  }
}

BOOST_AUTO_TEST_CASE(equals_ignore_case_compares_ascii_only) {
  BOOST_CHECK(equalsIgnoreCase("Chunked", "chunked"));
  BOOST_CHECK(equalsIgnoreCase("", ""));
  BOOST_CHECK(!equalsIgnoreCase("chunke", "chunked"));
  BOOST_CHECK(!equalsIgnoreCase("chunkedx", "chunked"));
  // Bytes that only become ASCII letters by arithmetic must not match.
  BOOST_CHECK(!equalsIgnoreCase("\xC1", "a"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::http
