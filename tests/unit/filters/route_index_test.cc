// Tests for RouteIndex (route_index.h): the literal start it takes from a regex, and — the main
// check — that a lookup through the index picks the same route as trying every route in order,
// over many generated route tables (prefix, exact and regex paths, case-insensitive ones, regexes
// without a literal start, header-only and query routes) and requests.
#include "filters/router/route_index.h"

#include <re2/re2.h>

#include <boost/test/unit_test.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "filters/router/match_input.h"
#include "filters/router/route_match.h"
#include "filters/router/route_table.h"

namespace {

using weft::router::ForwardAction;
using weft::router::ListMatchInput;
using weft::router::PathKey;
using weft::router::regexLiteralPrefix;
using weft::router::Route;
using weft::router::RouteIndex;
using weft::router::RouteTable;
using weft::router::splitPath;

RouteTable tableOf(const std::string& routes_json) {
  auto parsed = RouteTable::parse(R"({"name":"t","virtual_hosts":[{"name":"v","domains":["*"],
      "routes":)" + routes_json + "}]}");
  BOOST_REQUIRE_MESSAGE(
      parsed.isOk(), (parsed.isOk() ? "" : parsed.status().message()) + "\ntable: " + routes_json);
  return std::move(*parsed);
}

// The reference: the index of the first route whose match holds, trying each in order.
std::optional<uint32_t> scan(const std::vector<Route>& routes, std::string_view target,
                             const ListMatchInput& input) {
  const auto split = splitPath(target);
  for (uint32_t i = 0; i < routes.size(); ++i) {
    if (routes[i].match.matches(split.path, split.query, input)) return i;
  }
  return std::nullopt;
}

RouteIndex indexOf(const std::vector<Route>& routes) {
  std::vector<PathKey> keys;
  for (const Route& route : routes) keys.push_back(route.match.pathKey());
  return RouteIndex(keys);
}

std::optional<uint32_t> lookUp(const RouteIndex& index, const std::vector<Route>& routes,
                               std::string_view target, const ListMatchInput& input) {
  const auto split = splitPath(target);
  return index.firstMatch(split.path, [&](uint32_t i) {
    return routes[i].match.matches(split.path, split.query, input);
  });
}

// Random route tables and requests over a small alphabet, so that keys share starts, differ
// only in case, and nest.
class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  // A route table as a JSON list of `count` routes; route i goes to cluster "c<i>".
  std::string table(size_t count) {
    std::string json = "[";
    for (size_t i = 0; i < count; ++i) {
      json += (i ? "," : "") + std::string(R"({"match":{)") + match() + R"(},"cluster":"c)" +
              std::to_string(i) + R"("})";
    }
    return json + "]";
  }

  // A request target: a path (sometimes not starting with '/'), sometimes a query.
  std::string target() {
    std::string t = pick(4) == 0 ? strange() : path();
    if (pick(4) == 0) t += pick(2) ? "?q=1" : "?q=2&r";
    return t;
  }

  ListMatchInput input() {
    ListMatchInput::Fields fields = {{":method", pick(2) ? "GET" : "POST"}};
    if (const size_t v = pick(3); v > 0) fields.emplace_back("x-h", std::to_string(v));
    return ListMatchInput(std::move(fields), 80);
  }

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

 private:
  // "/seg/seg...", each segment from a small set that mixes case and regex metacharacters.
  std::string path() {
    static const char* const kSegments[] = {"a", "A", "ab", "aB", "api", "API", "v1", "a.b", ""};
    std::string p;
    const size_t segments = 1 + pick(3);
    for (size_t i = 0; i < segments; ++i) p += "/" + std::string(kSegments[pick(9)]);
    return p;
  }
  std::string strange() {
    static const char* const kStrange[] = {"", "*", "a/b", "//", "/A/", "/a.b/x"};
    return kStrange[pick(6)];
  }
  // A key literal: a path, often cut short (a prefix may end mid-segment), starting with '/'.
  std::string literal() {
    std::string p = path();
    if (pick(2)) p.resize(1 + pick(p.size()));
    return p;
  }

  std::string pathCondition() {
    switch (pick(5)) {
      case 0:
      case 1:
        return R"("prefix":")" + literal() + '"';
      case 2:
        return R"("path":")" + literal() + '"';
      case 3: {  // a regex with a literal start
        static const char* const kTails[] = {"", "[a-z]*", "/[0-9]+", ".*", "(/.*)?", "|/v1"};
        return regex(RE2::QuoteMeta(literal()) + kTails[pick(6)]);
      }
      default: {  // one with a short literal start, or none
        static const char* const kNoStart[] = {".*",        ".*/a",   "(?i)/a.*", "(?i)/API/.*",
                                               "/(a|A)b.*", "[/]a.*", "/?a.*",    "(/a|/v1).*",
                                               ".*[0-9]",   "/.*",    "[^x]*",    "(?i)/A\\.B"};
        return regex(kNoStart[pick(12)]);
      }
    }
  }
  static std::string regex(std::string pattern) {
    std::string escaped;  // as a JSON string
    for (char c : pattern) escaped += c == '\\' ? std::string("\\\\") : std::string(1, c);
    return R"("safe_regex":{"regex":")" + escaped + R"("})";
  }
  // A route's match: a path condition, or only headers (a "/" prefix), plus more conditions.
  std::string match() {
    std::vector<std::string> headers;
    std::string m = R"("prefix":"/")";
    if (pick(6) == 0) {
      headers.push_back(R"({"name":"x-h","exact_match":"1"})");
    } else {
      m = pathCondition();
    }
    if (pick(3) == 0) m += R"(,"case_sensitive":false)";
    if (pick(4) == 0) {
      headers.push_back(R"({"name":"x-h","exact_match":")" + std::to_string(1 + pick(2)) + "\"}");
    }
    if (pick(8) == 0) headers.push_back(R"({"name":":method","exact_match":"POST"})");
    if (pick(8) == 0) m += R"(,"query_parameters":[{"name":"q","string_match":{"exact":"1"}}])";
    for (size_t i = 0; i < headers.size(); ++i) {
      m += (i == 0 ? R"(,"headers":[)" : ",") + headers[i] + (i + 1 == headers.size() ? "]" : "");
    }
    return m;
  }

  std::mt19937 rng_;
};

std::string show(std::optional<uint32_t> route) {
  return route ? "route " + std::to_string(*route) : "no route";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(route_index)

BOOST_AUTO_TEST_CASE(regex_literal_prefix_is_what_every_match_starts_with) {
  BOOST_TEST(regexLiteralPrefix("/api/v[0-9]+/.*") == "/api/v");
  BOOST_TEST(regexLiteralPrefix("/users/42") == "/users/42");
  BOOST_TEST(regexLiteralPrefix("/a|/b") == "/");
  BOOST_TEST(regexLiteralPrefix("(?i)/api") == "/");
  BOOST_TEST(regexLiteralPrefix(".*\\.png") == "");
  BOOST_TEST(regexLiteralPrefix("[") == "");  // does not compile
}

BOOST_AUTO_TEST_CASE(keeps_route_order_across_kinds_and_case) {
  // Ten routes, so the table itself is indexed as well.
  const RouteTable t = tableOf(R"([
      {"match":{"prefix":"/","headers":[{"name":"x-first","exact_match":"1"}]},"cluster":"hdr"},
      {"match":{"prefix":"/api/"},"cluster":"api"},
      {"match":{"path":"/api/exact"},"cluster":"late-exact"},
      {"match":{"path":"/Exact","case_sensitive":false},"cluster":"exact"},
      {"match":{"safe_regex":{"regex":"/re/[0-9]+"}},"cluster":"re"},
      {"match":{"prefix":"/CI/","case_sensitive":false},"cluster":"ci"},
      {"match":{"prefix":"/Cs/"},"cluster":"cs"},
      {"match":{"safe_regex":{"regex":".*\\.png"}},"cluster":"png"},
      {"match":{"prefix":"/re/"},"cluster":"re-prefix"},
      {"match":{"prefix":"/"},"cluster":"fallback"}])");
  const auto pick = [&](std::string_view path, ListMatchInput input = ListMatchInput()) {
    const Route* r = t.route("any", path, input);
    return r == nullptr ? std::string() : std::get<ForwardAction>(r->action).cluster;
  };
  BOOST_TEST(pick("/api/exact") == "api");
  BOOST_TEST(pick("/api/exact", ListMatchInput(ListMatchInput::Fields{{"x-first", "1"}})) == "hdr");
  BOOST_TEST(pick("/eXacT?x=1") == "exact");
  BOOST_TEST(pick("/re/12") == "re");
  BOOST_TEST(pick("/re/x") == "re-prefix");
  BOOST_TEST(pick("/ci/x") == "ci");
  BOOST_TEST(pick("/cs/x") == "fallback");
  BOOST_TEST(pick("/Cs/x") == "cs");
  BOOST_TEST(pick("/re/a.png") == "png");
  BOOST_TEST(pick("*") == "");
}

BOOST_AUTO_TEST_CASE(picks_the_same_route_as_trying_each_in_order) {
  constexpr uint32_t kTables = 400;
  constexpr int kRequests = 150;
  size_t hits = 0;
  size_t misses = 0;
  for (uint32_t seed = 1; seed <= kTables; ++seed) {
    Generator gen(seed);
    const std::string json = gen.table(1 + gen.pick(60));
    const RouteTable table = tableOf(json);
    const std::vector<Route>& routes = table.virtualHosts()[0].routes;
    // Built directly, so that small tables (which the route table itself scans) are checked too.
    const RouteIndex index = indexOf(routes);
    for (int r = 0; r < kRequests; ++r) {
      const std::string target = gen.target();
      const ListMatchInput input = gen.input();
      const std::optional<uint32_t> expected = scan(routes, target, input);
      const std::optional<uint32_t> indexed = lookUp(index, routes, target, input);
      const Route* via_table = table.route("any", target, input);
      const std::optional<uint32_t> tabled =
          via_table == nullptr
              ? std::nullopt
              : std::optional<uint32_t>(static_cast<uint32_t>(via_table - &routes[0]));
      if (indexed != expected || tabled != expected) {
        BOOST_ERROR("seed " << seed << ", target '" << target << "': in order " << show(expected)
                            << ", index " << show(indexed) << ", table " << show(tabled)
                            << "\ntable: " << json);
        return;
      }
      (expected ? hits : misses) += 1;
    }
  }
  // The generator must exercise both outcomes for the comparison to mean anything.
  BOOST_TEST_MESSAGE("route_index: " << hits << " hits, " << misses << " misses");
  BOOST_TEST(hits > kTables * kRequests / 4);
  BOOST_TEST(misses > kTables * kRequests / 20);
}

BOOST_AUTO_TEST_SUITE_END()
