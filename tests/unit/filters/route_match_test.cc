// Tests for route matching (route_match.h and the matchers under it): every match kind, their
// conjunction, the first-match rule, and config errors that name the field.
#include "filters/router/route_match.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <utility>
#include <variant>

#include "filters/router/match_input.h"
#include "filters/router/query_matcher.h"
#include "filters/router/route_table.h"

namespace {

using weft::router::ForwardAction;
using weft::router::ListMatchInput;
using weft::router::Route;
using weft::router::RouteTable;

// A table with one "*" virtual host whose routes are `routes_json` (a JSON list).
RouteTable tableOf(const std::string& routes_json) {
  auto parsed = RouteTable::parse(R"({"name":"t","virtual_hosts":[{"name":"v","domains":["*"],
      "routes":)" + routes_json + "}]}");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), (parsed.isOk() ? "" : parsed.status().message()));
  return std::move(*parsed);
}

std::string errorOf(const std::string& routes_json) {
  auto parsed = RouteTable::parse(R"({"name":"t","virtual_hosts":[{"name":"v","domains":["*"],
      "routes":)" + routes_json + "}]}");
  BOOST_REQUIRE(!parsed.isOk());
  return parsed.status().message();
}

// The cluster a request goes to, or "" when no route matches.
std::string pick(const RouteTable& t, std::string_view path,
                 const ListMatchInput& input = ListMatchInput()) {
  const Route* r = t.route("any", path, input);
  return r == nullptr ? "" : std::get<ForwardAction>(r->action).cluster;
}

// One route matching everything under "/" when `match_extra` holds, to cluster "hit".
RouteTable oneRoute(const std::string& match_extra) {
  return tableOf(R"([{"match":{"prefix":"/")" + (match_extra.empty() ? "" : "," + match_extra) +
                 R"(},"cluster":"hit"}])");
}

ListMatchInput headers(ListMatchInput::Fields fields) { return ListMatchInput(std::move(fields)); }

const char* kRoutePrefix = "route config 't': virtual_hosts[0].routes[0].";

}  // namespace

BOOST_AUTO_TEST_SUITE(route_match)

BOOST_AUTO_TEST_CASE(case_insensitive_prefix_and_path) {
  const RouteTable t = tableOf(R"([
      {"match":{"path":"/Exact","case_sensitive":false},"cluster":"exact"},
      {"match":{"prefix":"/API/","case_sensitive":false},"cluster":"api"},
      {"match":{"prefix":"/Strict"},"cluster":"strict"}])");
  BOOST_TEST(pick(t, "/exact") == "exact");
  BOOST_TEST(pick(t, "/EXACT?q=1") == "exact");
  BOOST_TEST(pick(t, "/exact/more") == "");
  BOOST_TEST(pick(t, "/api/v1") == "api");
  BOOST_TEST(pick(t, "/Api/") == "api");
  BOOST_TEST(pick(t, "/Strict/x") == "strict");
  BOOST_TEST(pick(t, "/strict/x") == "");
}

BOOST_AUTO_TEST_CASE(safe_regex_is_a_full_match_on_the_path_without_query) {
  const RouteTable t = tableOf(R"([
      {"match":{"safe_regex":{"regex":"/users/[0-9]+"}},"cluster":"users"},
      {"match":{"safe_regex":{"regex":"(?i)/CaSe"}},"cluster":"case"},
      {"match":{"safe_regex":{"regex":"/a|/b"}},"cluster":"either"},
      {"match":{"safe_regex":{"regex":".*\\.png"}},"cluster":"png"}])");
  BOOST_TEST(pick(t, "/users/42") == "users");
  BOOST_TEST(pick(t, "/users/42?page=2") == "users");
  BOOST_TEST(pick(t, "/users/42/x") == "");  // full match, not a search
  BOOST_TEST(pick(t, "/xusers/42") == "");
  BOOST_TEST(pick(t, "/users/") == "");
  BOOST_TEST(pick(t, "/CASE") == "case");
  BOOST_TEST(pick(t, "/b") == "either");
  BOOST_TEST(pick(t, "/img/logo.png") == "png");
  BOOST_TEST(pick(t, "/img/logo.png?v=1") == "png");
}

BOOST_AUTO_TEST_CASE(header_value_specifiers) {
  const RouteTable t = tableOf(R"([
      {"match":{"prefix":"/","headers":[{"name":"x-exact","exact_match":"a"}]},"cluster":"exact"},
      {"match":{"prefix":"/","headers":[{"name":"x-pre","prefix_match":"ab"}]},"cluster":"prefix"},
      {"match":{"prefix":"/","headers":[{"name":"x-suf","suffix_match":"yz"}]},"cluster":"suffix"},
      {"match":{"prefix":"/","headers":[{"name":"x-con","contains_match":"mid"}]},
       "cluster":"contains"},
      {"match":{"prefix":"/","headers":[{"name":"x-re","safe_regex_match":{"regex":"v[0-9]"}}]},
       "cluster":"regex"},
      {"match":{"prefix":"/","headers":[{"name":"X-Str",
          "string_match":{"exact":"MiXeD","ignore_case":true}}]},"cluster":"string"}])");
  BOOST_TEST(pick(t, "/", headers({{"x-exact", "a"}})) == "exact");
  BOOST_TEST(pick(t, "/", headers({{"x-exact", "ab"}})) == "");
  BOOST_TEST(pick(t, "/", headers({{"x-pre", "abc"}})) == "prefix");
  BOOST_TEST(pick(t, "/", headers({{"x-pre", "xab"}})) == "");
  BOOST_TEST(pick(t, "/", headers({{"x-suf", "xyz"}})) == "suffix");
  BOOST_TEST(pick(t, "/", headers({{"x-con", "amidst"}})) == "contains");
  BOOST_TEST(pick(t, "/", headers({{"x-re", "v7"}})) == "regex");
  BOOST_TEST(pick(t, "/", headers({{"x-re", "v77"}})) == "");  // full match
  BOOST_TEST(pick(t, "/", headers({{"x-str", "mixed"}})) == "string");
  BOOST_TEST(pick(t, "/", headers({})) == "");
}

BOOST_AUTO_TEST_CASE(header_presence_absence_and_inversion) {
  const RouteTable present = oneRoute(R"("headers":[{"name":"x-a"}])");
  BOOST_TEST(pick(present, "/", headers({{"x-a", ""}})) == "hit");
  BOOST_TEST(pick(present, "/", headers({})) == "");

  const RouteTable absent = oneRoute(R"("headers":[{"name":"x-a","present_match":false}])");
  BOOST_TEST(pick(absent, "/", headers({})) == "hit");
  BOOST_TEST(pick(absent, "/", headers({{"x-a", "1"}})) == "");

  const RouteTable inverted =
      oneRoute(R"("headers":[{"name":"x-a","exact_match":"no","invert_match":true}])");
  BOOST_TEST(pick(inverted, "/", headers({{"x-a", "yes"}})) == "hit");
  BOOST_TEST(pick(inverted, "/", headers({{"x-a", "no"}})) == "");
  // Envoy's rule: a missing header never satisfies a value match, inverted or not.
  BOOST_TEST(pick(inverted, "/", headers({})) == "");

  const RouteTable inverted_presence =
      oneRoute(R"("headers":[{"name":"x-a","present_match":true,"invert_match":true}])");
  BOOST_TEST(pick(inverted_presence, "/", headers({})) == "hit");
  BOOST_TEST(pick(inverted_presence, "/", headers({{"x-a", "1"}})) == "");

  const RouteTable missing_as_empty = oneRoute(
      R"("headers":[{"name":"x-a","exact_match":"","treat_missing_header_as_empty":true}])");
  BOOST_TEST(pick(missing_as_empty, "/", headers({})) == "hit");
}

BOOST_AUTO_TEST_CASE(repeated_headers_are_joined_with_commas) {
  const RouteTable t = oneRoute(R"("headers":[{"name":"x-tag","exact_match":"a,b,c"}])");
  BOOST_TEST(
      pick(t, "/", headers({{"x-tag", "a"}, {"x-other", "z"}, {"x-tag", "b"}, {"x-tag", "c"}})) ==
      "hit");
  BOOST_TEST(pick(t, "/", headers({{"x-tag", "a"}})) == "");
}

BOOST_AUTO_TEST_CASE(pseudo_headers_method_scheme_authority) {
  const RouteTable t = tableOf(R"([
      {"match":{"prefix":"/","headers":[{"name":":method","exact_match":"POST"},
                                        {"name":":scheme","exact_match":"https"}]},
       "cluster":"secure-post"},
      {"match":{"prefix":"/","headers":[{"name":"Host","suffix_match":".internal"}]},
       "cluster":"internal"},
      {"match":{"prefix":"/","headers":[{"name":":method","exact_match":"GET"}]},
       "cluster":"get"}])");
  BOOST_TEST(pick(t, "/", headers({{":method", "POST"}, {":scheme", "https"}})) == "secure-post");
  BOOST_TEST(pick(t, "/", headers({{":method", "POST"}, {":scheme", "http"}})) == "");
  // "host" is looked up as :authority, where Weft's codecs put it.
  BOOST_TEST(pick(t, "/", headers({{":method", "PUT"}, {":authority", "db.internal"}})) ==
             "internal");
  BOOST_TEST(pick(t, "/", headers({{":method", "GET"}})) == "get");
}

BOOST_AUTO_TEST_CASE(query_parameters) {
  const RouteTable t = tableOf(R"([
      {"match":{"prefix":"/","query_parameters":[{"name":"debug","present_match":true}]},
       "cluster":"debug"},
      {"match":{"prefix":"/","query_parameters":[{"name":"v","string_match":{"exact":"2"}}]},
       "cluster":"v2"},
      {"match":{"prefix":"/","query_parameters":[{"name":"name",
          "string_match":{"prefix":"a b"}}]},"cluster":"decoded"},
      {"match":{"prefix":"/","query_parameters":[{"name":"flag"}]},"cluster":"flag"}])");
  BOOST_TEST(pick(t, "/x?debug") == "debug");
  BOOST_TEST(pick(t, "/x?a=1&debug=0") == "debug");
  BOOST_TEST(pick(t, "/x?v=2") == "v2");
  BOOST_TEST(pick(t, "/x?v=2#frag") == "v2");
  BOOST_TEST(pick(t, "/x?v=3&v=2") == "");  // the first occurrence decides
  BOOST_TEST(pick(t, "/x?n%61me=a%20bc") == "decoded");
  BOOST_TEST(pick(t, "/x?flag=") == "flag");
  BOOST_TEST(pick(t, "/x?debugger=1") == "");
  BOOST_TEST(pick(t, "/x") == "");
  BOOST_TEST(pick(t, "/debug") == "");  // the path is not the query
}

BOOST_AUTO_TEST_CASE(percent_decoding) {
  std::string scratch;
  BOOST_TEST(weft::router::percentDecoded("plain", scratch) == "plain");
  BOOST_TEST(scratch.empty());  // nothing decoded, nothing copied
  BOOST_TEST(weft::router::percentDecoded("a%2Fb%zz%4", scratch) == "a/b%zz%4");
}

BOOST_AUTO_TEST_CASE(port_of_the_listener) {
  const RouteTable t = tableOf(R"([{"match":{"prefix":"/","port":8080},"cluster":"p8080"},
                                    {"match":{"prefix":"/"},"cluster":"other"}])");
  BOOST_TEST(pick(t, "/", ListMatchInput({}, 8080)) == "p8080");
  BOOST_TEST(pick(t, "/", ListMatchInput({}, 9090)) == "other");
  BOOST_TEST(pick(t, "/", ListMatchInput({}, std::nullopt)) == "other");
}

BOOST_AUTO_TEST_CASE(conditions_are_anded_and_the_first_match_wins) {
  const RouteTable t = tableOf(R"([
      {"match":{"prefix":"/api","headers":[{"name":"x-canary","exact_match":"1"}],
                "query_parameters":[{"name":"beta"}],"port":10000},"cluster":"canary"},
      {"match":{"prefix":"/api"},"cluster":"stable"},
      {"match":{"prefix":"/api","headers":[{"name":"x-canary"}]},"cluster":"unreachable"}])");
  const ListMatchInput canary({{"x-canary", "1"}}, 10000);
  BOOST_TEST(pick(t, "/api/x?beta", canary) == "canary");
  BOOST_TEST(pick(t, "/api/x", canary) == "stable");  // no beta parameter
  BOOST_TEST(pick(t, "/api/x?beta", ListMatchInput({{"x-canary", "1"}}, 10001)) == "stable");
  BOOST_TEST(pick(t, "/api/x?beta", ListMatchInput({{"x-canary", "2"}}, 10000)) == "stable");
  BOOST_TEST(pick(t, "/other?beta", canary) == "");
}

BOOST_AUTO_TEST_CASE(split_path) {
  const auto a = weft::router::splitPath("/a/b?x=1&y#frag");
  BOOST_TEST(a.path == "/a/b");
  BOOST_TEST(a.query == "x=1&y");
  const auto b = weft::router::splitPath("/a#f?not-query");
  BOOST_TEST(b.path == "/a");
  BOOST_TEST(b.query == "");
}

BOOST_AUTO_TEST_CASE(source_labels_are_weighed_against_the_node_once) {
  const std::string routes = R"({"name":"t","virtual_hosts":[{"name":"v","domains":["*"],"routes":[
      {"match":{"prefix":"/","source_labels":{"app":"productpage","version":"v1"}},"cluster":"pp"},
      {"match":{"prefix":"/","source_labels":{"app":"ratings"}},"cluster":"ratings"},
      {"match":{"prefix":"/r","source_labels":{}},"cluster":"anyone"},
      {"match":{"prefix":"/"},"cluster":"fallback"}]}]})";
  const auto table = [&](const weft::router::Labels& node) {
    auto parsed = RouteTable::parse(routes, node);
    BOOST_REQUIRE_MESSAGE(parsed.isOk(), (parsed.isOk() ? "" : parsed.status().message()));
    return std::move(*parsed);
  };
  // The node has both labels (and more): the first route holds.
  BOOST_TEST(pick(table({{"app", "productpage"}, {"version", "v1"}, {"zone", "a"}}), "/r") == "pp");
  // A label with another value, or missing: that route never matches; the next ones are tried.
  BOOST_TEST(pick(table({{"app", "productpage"}, {"version", "v2"}}), "/r") == "anyone");
  BOOST_TEST(pick(table({{"app", "productpage"}}), "/x") == "fallback");
  BOOST_TEST(pick(table({{"app", "ratings"}}), "/x") == "ratings");
  // No node labels at all: only routes without source_labels (or with none listed) match.
  BOOST_TEST(pick(table({}), "/r") == "anyone");
  BOOST_TEST(pick(tableOf(R"([{"match":{"prefix":"/","source_labels":{"app":"a"}},
      "cluster":"c"}])"),
                  "/") == "");
}

BOOST_AUTO_TEST_CASE(source_labels_hold_through_the_route_index) {
  // Enough routes for the virtual host to be indexed (route_table.cc): the skipped route is still
  // in the index, under its path, and still never matches.
  std::string routes = "[";
  for (int i = 0; i < 10; ++i) {
    routes += R"({"match":{"prefix":"/p)" + std::to_string(i) + R"("},"cluster":"c)" +
              std::to_string(i) + "\"},";
  }
  routes += R"({"match":{"prefix":"/api","source_labels":{"app":"other"}},"cluster":"other"},
      {"match":{"prefix":"/api","source_labels":{"app":"mine"}},"cluster":"mine"},
      {"match":{"prefix":"/"},"cluster":"rest"}])";
  auto parsed = RouteTable::parse(
      R"({"name":"t","virtual_hosts":[{"name":"v","domains":["*"],"routes":)" + routes + "}]}",
      {{"app", "mine"}});
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), (parsed.isOk() ? "" : parsed.status().message()));
  BOOST_REQUIRE(parsed->virtualHosts()[0].index.has_value());
  BOOST_TEST(pick(*parsed, "/api/x") == "mine");
  BOOST_TEST(pick(*parsed, "/p3") == "c3");
  BOOST_TEST(pick(*parsed, "/else") == "rest");
  // Route names and positions stay as written: the route for another workload is still there.
  BOOST_TEST(parsed->virtualHosts()[0].routes.size() == 13u);
  BOOST_TEST(parsed->virtualHosts()[0].routes[10].name == "v/10");
  BOOST_TEST(std::get<ForwardAction>(parsed->virtualHosts()[0].routes[10].action).cluster ==
             "other");
}

BOOST_AUTO_TEST_CASE(source_labels_errors_name_the_field) {
  const std::string p = kRoutePrefix;
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","source_labels":["app"]},"cluster":"c"}])") ==
             p + "match.source_labels: must be an object");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","source_labels":{"app":{"a":1}}},
      "cluster":"c"}])") == p + "match.source_labels.app: must be a string");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","source_labels":{"":"a"}},"cluster":"c"}])") ==
             p + "match.source_labels: a label name must not be empty");
}

BOOST_AUTO_TEST_CASE(unsupported_matches_are_refused_with_a_reason) {
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/"},"cluster":"c",
      "typed_per_filter_config":{"fault":{}}}])")
                 .find(std::string(kRoutePrefix) + "typed_per_filter_config: not supported yet") ==
             0u);
  BOOST_TEST(
      errorOf(R"([{"match":{"prefix":"/","headers":[{"name":"a","range_match":{}}]},
      "cluster":"c"}])")
          .find(std::string(kRoutePrefix) + "match.headers[0]: unknown field 'range_match'") == 0u);
}

BOOST_AUTO_TEST_CASE(match_errors_name_the_field) {
  const std::string p = kRoutePrefix;
  BOOST_TEST(errorOf(R"([{"match":{"safe_regex":{"regex":"(unclosed"}},"cluster":"c"}])") ==
             p + "match.safe_regex.regex: invalid regex '(unclosed': missing ): (unclosed");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","headers":[{"name":"a","exact_match":"x",
      "prefix_match":"y"}]},"cluster":"c"}])") ==
             p + "match.headers[0]: at most one of exact_match, prefix_match, suffix_match, "
                 "contains_match, string_match, safe_regex_match, present_match");
  BOOST_TEST(
      errorOf(R"([{"match":{"prefix":"/","headers":[{"exact_match":"x"}]},"cluster":"c"}])") ==
      p + "match.headers[0].name: required");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","headers":[{"name":"a",
      "string_match":{"safe_regex":{"regex":"x"},"ignore_case":true}}]},"cluster":"c"}])") ==
             p + "match.headers[0].string_match: ignore_case cannot be combined with safe_regex");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","query_parameters":[{"name":"q",
      "present_match":false}]},"cluster":"c"}])") ==
             p + "match.query_parameters[0].present_match: only true is supported (a "
                 "parameter's absence cannot be matched)");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","port":70000},"cluster":"c"}])") ==
             p + "match.port: must be an integer 1..65535, got '70000'");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","case_sensitive":"no"},"cluster":"c"}])") ==
             p + "match.case_sensitive: must be true or false");
  BOOST_TEST(errorOf(R"([{"match":{"prefix":"/","headers":{"name":"a"}},"cluster":"c"}])") ==
             p + "match.headers: must be a list");
  BOOST_TEST(errorOf(R"([{"cluster":"c"}])") == p + "match: required, an object");
}

BOOST_AUTO_TEST_SUITE_END()
