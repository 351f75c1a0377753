// Tests for route metadata: parsing a route's metadata.filter_metadata (values kept as text,
// blocks as JSON, anything malformed refused with the field's path) and routeFor, the host's way to
// find the route a stream will take before the router runs.
#include <boost/test/unit_test.hpp>
#include <string>

#include "filters/router/route_table.h"
#include "filters/router/router_filter.h"
#include "plugins/host/filter_instance.h"
#include "tests/unit/filters/filter_test_host.h"

namespace {

using weft::router::Route;
using weft::router::RouteTable;
using weft::testing::FilterHarness;

// A route config with one virtual host for "*": a route for /meta carrying `metadata`, then a
// route for everything else without metadata.
std::string routes(const std::string& metadata) {
  return R"({"name":"rc","virtual_hosts":[{"name":"vh","domains":["*"],"routes":[
      {"name":"meta","match":{"prefix":"/meta"},"cluster":"c","metadata":)" +
         metadata + R"(},
      {"name":"plain","match":{"prefix":"/"},"cluster":"c"}]}]})";
}

std::string parseError(const std::string& metadata) {
  auto table = RouteTable::parse(routes(metadata));
  BOOST_REQUIRE(!table);
  return table.status().message();
}

weft::testing::Fields get(const std::string& path) {
  return {{":method", "GET"}, {":path", path}, {":authority", "example.com"}, {":scheme", "http"}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(route_metadata)

BOOST_AUTO_TEST_CASE(filter_metadata_values_are_kept_as_text_and_blocks_as_json) {
  auto table = RouteTable::parse(routes(R"({"filter_metadata":{
      "envoy.filters.http.lua":{"greeting":"hello","n":3,"on":true,"tags":["a",1],
                                "deep":{"a":{"b":"c"}},"none":null},
      "other":{"greeting":"hi"}}})"));
  BOOST_REQUIRE_MESSAGE(table, (table ? std::string() : table.status().message()));
  const auto& metadata = table->virtualHosts()[0].routes[0].metadata;
  BOOST_TEST(metadata.get("envoy.filters.http.lua", "greeting").value_or("") == "hello");
  BOOST_TEST(metadata.get("envoy.filters.http.lua", "n").value_or("") == "3");
  BOOST_TEST(metadata.get("envoy.filters.http.lua", "on").value_or("") == "true");
  BOOST_TEST(metadata.get("envoy.filters.http.lua", "tags").value_or("") == R"(["a",1])");
  BOOST_TEST(metadata.get("envoy.filters.http.lua", "deep").value_or("") == R"({"a":{"b":"c"}})");
  BOOST_TEST(!metadata.get("envoy.filters.http.lua", "none"));  // null reads as absent
  BOOST_TEST(metadata.block("envoy.filters.http.lua").value_or("") ==
             R"({"greeting":"hello","n":3,"on":true,"tags":["a",1],"deep":{"a":{"b":"c"}},)"
             R"("none":null})");
  BOOST_TEST(metadata.get("other", "greeting").value_or("") == "hi");
  BOOST_TEST(!metadata.get("other", "n"));
  BOOST_TEST(!metadata.get("missing", "greeting"));
  BOOST_TEST(!metadata.block("missing"));
  BOOST_TEST(table->virtualHosts()[0].routes[1].metadata.empty());
}

BOOST_AUTO_TEST_CASE(malformed_metadata_is_refused_naming_the_field) {
  BOOST_TEST(parseError(R"({"filter_metadata":{"lua":"flat"}})")
                 .find("metadata.filter_metadata.lua: required, an object") != std::string::npos);
  BOOST_TEST(parseError(R"({"filter_metadata":[]})")
                 .find("metadata.filter_metadata: required, an object") != std::string::npos);
  BOOST_TEST(parseError(R"({"typed_filter_metadata":{}})").find("typed_filter_metadata") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(route_for_finds_the_route_the_router_will_take) {
  FilterHarness h(weft_router_module_init,
                  R"({"route_config":)" +
                      routes(R"({"filter_metadata":{"envoy.filters.http.lua":{"k":"v"}}})") + "}");
  auto meta = h.stream(get("/meta/x"));
  const Route* route = weft::router::routeFor(h.module(), h.config(), weft::plugins::hostApi(),
                                              meta->stream().handle());
  BOOST_REQUIRE(route != nullptr);
  BOOST_TEST(route->name == "meta");
  BOOST_TEST(route->metadata.get("envoy.filters.http.lua", "k").value_or("") == "v");

  auto plain = h.stream(get("/other"));
  route = weft::router::routeFor(h.module(), h.config(), weft::plugins::hostApi(),
                                 plain->stream().handle());
  BOOST_REQUIRE(route != nullptr);
  BOOST_TEST(route->name == "plain");
}

BOOST_AUTO_TEST_CASE(route_for_answers_null_without_a_route_or_for_another_module) {
  FilterHarness h(weft_router_module_init,
                  R"({"route_config":{"virtual_hosts":[{"name":"vh","domains":["only.example"],
                      "routes":[{"match":{"prefix":"/"},"cluster":"c"}]}]}})");
  auto stream = h.stream(get("/"));  // :authority example.com: no virtual host
  BOOST_TEST(weft::router::routeFor(h.module(), h.config(), weft::plugins::hostApi(),
                                    stream->stream().handle()) == nullptr);

  FilterHarness other(weft_router_module_init,
                      R"({"route_config":)" + routes(R"({"filter_metadata":{}})") + "}");
  weft_filter_module copy = other.module();  // same hooks, but not the router's table
  auto routed = other.stream(get("/"));
  BOOST_TEST(weft::router::routeFor(copy, other.config(), weft::plugins::hostApi(),
                                    routed->stream().handle()) == nullptr);
  BOOST_TEST(weft::router::routeFor(other.module(), other.config(), weft::plugins::hostApi(),
                                    routed->stream().handle()) != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
