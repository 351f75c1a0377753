// Tests for what the router does with a matched route, driven through the real host table
// (filter_test_host.h): forwarding and weighted splits, redirects, direct responses, path and
// host rewrites, header mutations at each level, CORS, the parsed upstream policy, and config
// errors naming the field.
#include <boost/test/unit_test.hpp>
#include <map>
#include <string>
#include <variant>

#include "filters/router/route_table.h"
#include "filters/router/router_filter.h"
#include "tests/unit/filters/filter_test_host.h"

namespace {

using weft::testing::Fields;
using weft::testing::FilterHarness;

// The router's config: one route config named "rc" with `top` extra top-level fields (leading
// comma included when non-empty) and one virtual host "vh" for "*" with `vhost_extra` fields and
// `routes`.
std::string routerJson(const std::string& routes, const std::string& vhost_extra = "",
                       const std::string& top = "") {
  return R"({"route_config":{"name":"rc")" + top +
         R"(,"virtual_hosts":[{"name":"vh","domains":["*"])" + vhost_extra + R"(,"routes":)" +
         routes + "}]}}";
}

Fields get(const std::string& path, Fields extra = {}) {
  Fields fields{
      {":method", "GET"}, {":path", path}, {":authority", "example.com"}, {":scheme", "http"}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

std::string configError(const std::string& json) {
  return FilterHarness::configError(weft_router_module_init, json);
}

// The location of a redirect route answering `path` (with `authority`), or "" when none.
struct Redirect {
  uint32_t status = 0;
  std::string location;
};
Redirect redirectFor(const std::string& redirect_json, const std::string& path,
                     const std::string& authority = "example.com",
                     const std::string& match = R"({"prefix":"/old/"})") {
  FilterHarness h(weft_router_module_init,
                  routerJson(R"([{"match":)" + match + R"(,"redirect":)" + redirect_json + "}]"));
  Fields request{
      {":method", "GET"}, {":path", path}, {":authority", authority}, {":scheme", "http"}};
  auto s = h.stream(request);
  BOOST_TEST(s->requestHeaders() == WEFT_STOP_ITERATION);
  if (!s->stream().reply) return {};
  BOOST_TEST(s->stream().reply->details == "direct_response");
  BOOST_TEST(s->stream().reply->body == "");
  return {s->stream().reply->status, s->stream().reply->header("location").value_or("")};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(route_actions)

BOOST_AUTO_TEST_CASE(forwards_to_the_cluster) {
  FilterHarness h(weft_router_module_init,
                  routerJson(R"([{"name":"r1","match":{"prefix":"/"},"cluster":"backend"}])"));
  auto s = h.stream(get("/x"));
  BOOST_TEST(s->requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(s->stream().cluster == "backend");
  BOOST_TEST(s->stream().route == "r1");
  BOOST_TEST(!s->stream().reply.has_value());
  BOOST_TEST(s->stream().requestHeader(":path") == "/x");
  BOOST_TEST(s->stream().requestHeader("x-envoy-original-path") == "");
  BOOST_TEST(h.counter("router.routed") == 1u);
}

BOOST_AUTO_TEST_CASE(route_timeout_goes_to_the_upstream_stage) {
  FilterHarness h(weft_router_module_init,
                  routerJson(R"([{"match":{"prefix":"/slow"},"cluster":"b","timeout":"1500ms"},
                                 {"match":{"prefix":"/"},"cluster":"b"}])"));
  auto slow = h.stream(get("/slow"));
  BOOST_TEST(slow->requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(slow->stream().upstream_timeout_ms == 1500u);
  auto plain = h.stream(get("/x"));
  BOOST_TEST(plain->requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(plain->stream().upstream_timeout_ms == 0u);
}

BOOST_AUTO_TEST_CASE(weighted_split_of_10000_picks_within_2_percent) {
  FilterHarness h(weft_router_module_init, routerJson(R"([{"match":{"prefix":"/"},
      "weighted_clusters":{"clusters":[{"name":"a","weight":70},{"name":"b","weight":20},
                                       {"name":"c","weight":10},{"name":"never","weight":0}],
                           "total_weight":100}}])"));
  std::map<std::string, int> picks;
  constexpr int kPicks = 10000;
  for (int i = 0; i < kPicks; ++i) {
    auto s = h.run(get("/"));
    ++picks[s->stream().cluster];
  }
  BOOST_TEST(picks.size() == 3u);
  BOOST_TEST(picks.count("never") == 0u);
  for (const auto& [cluster, expected] :
       std::map<std::string, int>{{"a", 7000}, {"b", 2000}, {"c", 1000}}) {
    BOOST_TEST(std::abs(picks[cluster] - expected) <= kPicks * 2 / 100,
               cluster << ": " << picks[cluster] << " of " << kPicks);
  }
}

BOOST_AUTO_TEST_CASE(weighted_pick_walks_the_weights) {
  auto table = weft::router::RouteTable::parse(R"({"virtual_hosts":[{"name":"v","domains":["*"],
      "routes":[{"match":{"prefix":"/"},"weighted_clusters":{"clusters":[
          {"name":"a","weight":1},{"name":"zero","weight":0},{"name":"b","weight":3}]}}]}]})");
  BOOST_REQUIRE(table.isOk());
  const auto& action =
      std::get<weft::router::ForwardAction>(table->virtualHosts()[0].routes[0].action);
  BOOST_REQUIRE(action.weighted.has_value());
  BOOST_TEST(action.weighted->totalWeight() == 4u);
  BOOST_TEST(action.pickCluster(0) == "a");
  BOOST_TEST(action.pickCluster(1) == "b");
  BOOST_TEST(action.pickCluster(3) == "b");
  BOOST_TEST(action.pickCluster(4) == "a");
}

BOOST_AUTO_TEST_CASE(redirect_scheme_host_and_port) {
  // https_redirect drops the old scheme's default port and keeps any other.
  BOOST_TEST(redirectFor(R"({"https_redirect":true})", "/old/a?q=1", "example.com:80").location ==
             "https://example.com/old/a?q=1");
  BOOST_TEST(redirectFor(R"({"https_redirect":true})", "/old/a", "example.com:8080").location ==
             "https://example.com:8080/old/a");
  BOOST_TEST(redirectFor(R"({"scheme_redirect":"HTTPS"})", "/old/a").location ==
             "https://example.com/old/a");
  BOOST_TEST(
      redirectFor(R"({"host_redirect":"new.example.org"})", "/old/a", "example.com:81").location ==
      "http://new.example.org/old/a");
  BOOST_TEST(redirectFor(R"({"port_redirect":8443})", "/old/a", "example.com:81").location ==
             "http://example.com:8443/old/a");
  BOOST_TEST(
      redirectFor(R"({"host_redirect":"n.org","port_redirect":9,"https_redirect":true})", "/old/a")
          .location == "https://n.org:9/old/a");
  BOOST_TEST(redirectFor(R"({"port_redirect":8443})", "/old/a", "[::1]:81").location ==
             "http://[::1]:8443/old/a");
}

BOOST_AUTO_TEST_CASE(redirect_paths_and_queries) {
  BOOST_TEST(redirectFor(R"({"path_redirect":"/new"})", "/old/a?q=1").location ==
             "http://example.com/new?q=1");
  BOOST_TEST(redirectFor(R"({"path_redirect":"/new?own=1"})", "/old/a?q=1").location ==
             "http://example.com/new?own=1");
  BOOST_TEST(
      redirectFor(R"({"path_redirect":"/new?own=1","strip_query":true})", "/old/a?q=1").location ==
      "http://example.com/new?own=1");
  BOOST_TEST(redirectFor(R"({"path_redirect":"/new","strip_query":true})", "/old/a?q=1").location ==
             "http://example.com/new");
  BOOST_TEST(redirectFor(R"({"prefix_rewrite":"/new/"})", "/old/a/b?q=1").location ==
             "http://example.com/new/a/b?q=1");
  BOOST_TEST(redirectFor(R"({"prefix_rewrite":"/whole"})", "/exact?q", "example.com",
                         R"({"path":"/exact"})")
                 .location == "http://example.com/whole?q");
  BOOST_TEST(redirectFor(R"j({"regex_rewrite":{"pattern":{"regex":"/old/([a-z]+)"},
                                              "substitution":"/v2/\\1/index"}})j",
                         "/old/page?x=1")
                 .location == "http://example.com/v2/page/index?x=1");
  BOOST_TEST(redirectFor(R"({"strip_query":true})", "/old/a?q=1").location ==
             "http://example.com/old/a");
}

BOOST_AUTO_TEST_CASE(redirect_response_codes) {
  BOOST_TEST(redirectFor("{}", "/old/").status == 301u);
  for (const auto& [code, name] : std::map<uint32_t, std::string>{{301, "MOVED_PERMANENTLY"},
                                                                  {302, "FOUND"},
                                                                  {303, "SEE_OTHER"},
                                                                  {307, "TEMPORARY_REDIRECT"},
                                                                  {308, "PERMANENT_REDIRECT"}}) {
    BOOST_TEST(redirectFor(R"({"response_code":)" + std::to_string(code) + "}", "/old/").status ==
               code);
    BOOST_TEST(redirectFor(R"({"response_code":")" + name + R"("})", "/old/").status == code);
  }
}

BOOST_AUTO_TEST_CASE(direct_responses) {
  FilterHarness h(weft_router_module_init, routerJson(R"([
      {"match":{"path":"/health"},"direct_response":{"status":200,"body":"ok\n"},
       "response_headers_to_add":[{"header":{"key":"x-route","value":"health"}}]},
      {"match":{"path":"/gone"},"direct_response":{"status":410,"body":{"inline_string":"gone"}}},
      {"match":{"path":"/empty"},"direct_response":{"status":503}}])",
                                                      R"(,"response_headers_to_add":[
      {"header":{"key":"x-vhost","value":"vh"}}])"));
  auto health = h.run(get("/health"));
  BOOST_REQUIRE(health->stream().reply.has_value());
  BOOST_TEST(health->stream().reply->status == 200u);
  BOOST_TEST(health->stream().reply->body == "ok\n");
  BOOST_TEST(health->stream().reply->details == "direct_response");
  BOOST_TEST(health->stream().reply->header("x-route").value_or("") == "health");
  BOOST_TEST(health->stream().reply->header("x-vhost").value_or("") == "vh");
  BOOST_TEST(health->stream().cluster.empty());

  auto gone = h.run(get("/gone"));
  BOOST_TEST(gone->stream().reply->status == 410u);
  BOOST_TEST(gone->stream().reply->body == "gone");
  auto empty = h.run(get("/empty"));
  BOOST_TEST(empty->stream().reply->status == 503u);
  BOOST_TEST(empty->stream().reply->body == "");
}

BOOST_AUTO_TEST_CASE(prefix_rewrite_keeps_the_original_path) {
  FilterHarness h(weft_router_module_init, routerJson(R"([
      {"match":{"prefix":"/api/v1/"},"cluster":"c","prefix_rewrite":"/v1/"},
      {"match":{"prefix":"/API/","case_sensitive":false},"cluster":"c","prefix_rewrite":"/"},
      {"match":{"path":"/exact"},"cluster":"c","prefix_rewrite":"/replaced"}])"));
  auto a = h.run(get("/api/v1/users?id=7"));
  BOOST_TEST(a->stream().requestHeader(":path") == "/v1/users?id=7");
  BOOST_TEST(a->stream().requestHeader("x-envoy-original-path") == "/api/v1/users?id=7");
  auto b = h.run(get("/Api/x"));
  BOOST_TEST(b->stream().requestHeader(":path") == "/x");
  auto c = h.run(get("/exact?k"));
  BOOST_TEST(c->stream().requestHeader(":path") == "/replaced?k");
}

BOOST_AUTO_TEST_CASE(regex_rewrite_and_host_rewrite) {
  FilterHarness h(weft_router_module_init, routerJson(R"j([
      {"match":{"prefix":"/"},"cluster":"c","host_rewrite_literal":"svc.internal:8080",
       "regex_rewrite":{"pattern":{"regex":"/(\\w+)/(\\d+)"},"substitution":"/\\2/\\1"}}])j"));
  auto s = h.run(get("/item/42/item/43?x=/item/1"));
  BOOST_TEST(s->stream().requestHeader(":path") == "/42/item/43/item?x=/item/1");
  BOOST_TEST(s->stream().requestHeader("x-envoy-original-path") == "/item/42/item/43?x=/item/1");
  BOOST_TEST(s->stream().requestHeader(":authority") == "svc.internal:8080");
  BOOST_TEST(s->stream().cluster == "c");
}

BOOST_AUTO_TEST_CASE(request_header_mutations_at_each_level) {
  const std::string top = R"(,"request_headers_to_add":[
      {"header":{"key":"x-level","value":"config"},"append_action":"OVERWRITE_IF_EXISTS_OR_ADD"},
      {"header":{"key":"x-config","value":"1"}}],
      "request_headers_to_remove":["x-drop-config"])";
  const std::string vhost = R"(,"request_headers_to_add":[
      {"header":{"key":"x-level","value":"vhost"},"append":false},
      {"header":{"key":"x-vhost","value":"100%% sure"}}],
      "request_headers_to_remove":["x-drop-vhost"])";
  FilterHarness h(weft_router_module_init, routerJson(R"([{"match":{"prefix":"/"},"cluster":"c",
      "request_headers_to_add":[
        {"header":{"key":"x-level","value":"route"}},
        {"header":{"key":"X-Append","value":"b"}},
        {"header":{"key":"x-if-absent","value":"new"},"append_action":"ADD_IF_ABSENT"},
        {"header":{"key":"x-absent","value":"new"},"append_action":"ADD_IF_ABSENT"},
        {"header":{"key":"x-if-exists","value":"new"},"append_action":"OVERWRITE_IF_EXISTS"},
        {"header":{"key":"x-not-there","value":"new"},"append_action":"OVERWRITE_IF_EXISTS"},
        {"header":{"key":"x-empty","value":""}},
        {"header":{"key":"x-kept-empty","value":""},"keep_empty_value":true}],
      "request_headers_to_remove":["x-drop-route"]}])",
                                                      vhost, top));
  auto s = h.run(get("/", {{"x-append", "a"},
                           {"x-if-absent", "old"},
                           {"x-if-exists", "old"},
                           {"x-drop-route", "1"},
                           {"x-drop-vhost", "1"},
                           {"x-drop-config", "1"}}));
  const auto& request = s->stream().request;
  BOOST_TEST(s->stream().requestHeader("x-level") == "config");  // the outermost overwrite wins
  BOOST_TEST(request.count("x-level") == 1u);
  BOOST_TEST(request.count("x-append") == 2u);
  BOOST_TEST(*request.get("x-append", 1) == "b");
  BOOST_TEST(s->stream().requestHeader("x-if-absent") == "old");
  BOOST_TEST(s->stream().requestHeader("x-absent") == "new");
  BOOST_TEST(s->stream().requestHeader("x-if-exists") == "new");
  BOOST_TEST(!request.has("x-not-there"));
  BOOST_TEST(!request.has("x-empty"));
  BOOST_TEST(request.has("x-kept-empty"));
  BOOST_TEST(s->stream().requestHeader("x-vhost") == "100% sure");
  BOOST_TEST(s->stream().requestHeader("x-config") == "1");
  for (const char* gone : {"x-drop-route", "x-drop-vhost", "x-drop-config"}) {
    BOOST_TEST(!request.has(gone), gone);
  }
}

BOOST_AUTO_TEST_CASE(response_header_mutations_at_each_level) {
  FilterHarness h(weft_router_module_init, routerJson(R"([{"match":{"prefix":"/"},"cluster":"c",
      "response_headers_to_add":[{"header":{"key":"x-level","value":"route"}}],
      "response_headers_to_remove":["server"]}])",
                                                      R"(,"response_headers_to_add":[
      {"header":{"key":"x-level","value":"vhost"}}])",
                                                      R"(,"response_headers_to_add":[
      {"header":{"key":"x-config","value":"c"}}],"response_headers_to_remove":["x-internal"])"));
  auto s = h.run(get("/"));
  BOOST_TEST(s->responseHeaders({{":status", "200"}, {"server", "up"}, {"x-internal", "1"}}) ==
             WEFT_CONTINUE);
  const auto& response = s->stream().response;
  BOOST_TEST(!response.has("server"));
  BOOST_TEST(!response.has("x-internal"));
  BOOST_TEST(response.count("x-level") == 2u);  // appended: route's, then the virtual host's
  BOOST_TEST(*response.get("x-level", 0) == "route");
  BOOST_TEST(*response.get("x-level", 1) == "vhost");
  BOOST_TEST(s->stream().responseHeader("x-config") == "c");
}

BOOST_AUTO_TEST_CASE(no_route_answers_404_without_mutations) {
  FilterHarness h(
      weft_router_module_init,
      routerJson(R"([{"match":{"prefix":"/only"},"cluster":"c"}])", "",
                 R"(,"response_headers_to_add":[{"header":{"key":"x-a","value":"1"}}])"));
  auto s = h.run(get("/elsewhere"));
  BOOST_REQUIRE(s->stream().reply.has_value());
  BOOST_TEST(s->stream().reply->status == 404u);
  BOOST_TEST(s->stream().reply->details == "route_not_found");
  BOOST_TEST(!s->stream().reply->header("x-a").has_value());
  BOOST_TEST(h.counter("router.no_route") == 1u);
}

// ---- CORS ------------------------------------------------------------------------------------

const std::string kCorsVhost = R"(,"cors":{
    "allow_origin_string_match":[{"exact":"https://app.example"},{"suffix":".trusted.example"}],
    "allow_methods":"GET, PUT","allow_headers":"x-token","expose_headers":"x-trace",
    "max_age":"600","allow_credentials":true})";

const std::string kCorsRoutes = R"([
    {"match":{"prefix":"/open"},"cluster":"c",
     "cors":{"allow_origin_string_match":[{"exact":"*"}]}},
    {"match":{"prefix":"/moved"},"redirect":{"path_redirect":"/new"}},
    {"match":{"prefix":"/"},"cluster":"c"}])";

Fields preflight(const std::string& path, const std::string& origin) {
  return {{":method", "OPTIONS"},
          {":path", path},
          {":authority", "api.example"},
          {"origin", origin},
          {"access-control-request-method", "PUT"}};
}

BOOST_AUTO_TEST_CASE(cors_preflight_is_answered_locally) {
  FilterHarness h(weft_router_module_init, routerJson(kCorsRoutes, kCorsVhost));
  auto s = h.run(preflight("/x", "https://app.example"));
  BOOST_REQUIRE(s->stream().reply.has_value());
  const auto& reply = *s->stream().reply;
  BOOST_TEST(reply.status == 200u);
  BOOST_TEST(reply.details == "cors_preflight");
  BOOST_TEST(reply.header("access-control-allow-origin").value_or("") == "https://app.example");
  BOOST_TEST(reply.header("access-control-allow-methods").value_or("") == "GET, PUT");
  BOOST_TEST(reply.header("access-control-allow-headers").value_or("") == "x-token");
  BOOST_TEST(reply.header("access-control-max-age").value_or("") == "600");
  BOOST_TEST(reply.header("access-control-allow-credentials").value_or("") == "true");
  BOOST_TEST(!reply.header("access-control-expose-headers").has_value());
  BOOST_TEST(s->stream().cluster.empty());

  auto suffix = h.run(preflight("/x", "https://a.trusted.example"));
  BOOST_TEST(suffix->stream().reply->status == 200u);
}

BOOST_AUTO_TEST_CASE(cors_preflight_from_an_unknown_origin_goes_upstream) {
  FilterHarness h(weft_router_module_init, routerJson(kCorsRoutes, kCorsVhost));
  auto s = h.stream(preflight("/x", "https://evil.example"));
  BOOST_TEST(s->requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(!s->stream().reply.has_value());
  BOOST_TEST(s->stream().cluster == "c");
  s->responseHeaders({{":status", "204"}});
  BOOST_TEST(!s->stream().response.has("access-control-allow-origin"));
}

BOOST_AUTO_TEST_CASE(cors_actual_request_gets_response_headers) {
  FilterHarness h(weft_router_module_init, routerJson(kCorsRoutes, kCorsVhost));
  auto s = h.stream(get("/x", {{"origin", "https://app.example"}}));
  BOOST_TEST(s->requestHeaders() == WEFT_CONTINUE);
  s->responseHeaders({{":status", "200"}});
  BOOST_TEST(s->stream().responseHeader("access-control-allow-origin") == "https://app.example");
  BOOST_TEST(s->stream().responseHeader("access-control-allow-credentials") == "true");
  BOOST_TEST(s->stream().responseHeader("access-control-expose-headers") == "x-trace");
  BOOST_TEST(!s->stream().response.has("access-control-allow-methods"));

  // Without an Origin, or from one not allowed, nothing is added.
  for (const Fields& request : {get("/x"), get("/x", {{"origin", "https://evil.example"}})}) {
    auto other = h.run(request);
    other->responseHeaders({{":status", "200"}});
    BOOST_TEST(!other->stream().response.has("access-control-allow-origin"));
  }
  // A local reply (here a redirect) carries them too.
  auto moved = h.run(get("/moved", {{"origin", "https://app.example"}}));
  BOOST_TEST(moved->stream().reply->header("access-control-allow-origin").value_or("") ==
             "https://app.example");
}

BOOST_AUTO_TEST_CASE(cors_route_policy_replaces_the_virtual_hosts) {
  FilterHarness h(weft_router_module_init, routerJson(kCorsRoutes, kCorsVhost));
  auto s = h.run(preflight("/open", "https://anyone.example"));  // "*" allows every origin
  BOOST_REQUIRE(s->stream().reply.has_value());
  BOOST_TEST(s->stream().reply->header("access-control-allow-origin").value_or("") ==
             "https://anyone.example");
  BOOST_TEST(!s->stream().reply->header("access-control-allow-credentials").has_value());
  BOOST_TEST(!s->stream().reply->header("access-control-allow-methods").has_value());
}

// ---- upstream policy (parsed for the upstream stage) -----------------------------------------

BOOST_AUTO_TEST_CASE(timeouts_retries_and_mirrors_are_parsed) {
  auto table = weft::router::RouteTable::parse(R"({"virtual_hosts":[{"name":"v","domains":["*"],
      "routes":[{"match":{"prefix":"/"},"cluster":"c","timeout":"3s",
        "retry_policy":{"retry_on":"5xx, connect-failure,retriable-status-codes",
                        "num_retries":3,"per_try_timeout":"500ms",
                        "retriable_status_codes":[503,429],
                        "retry_back_off":{"base_interval":"10ms"}},
        "request_mirror_policies":[{"cluster":"shadow","runtime_fraction":{
            "default_value":{"numerator":5,"denominator":"TEN_THOUSAND"}}},
          {"cluster":"all"}]},
        {"match":{"prefix":"/"},"cluster":"plain"}]}]})");
  BOOST_REQUIRE_MESSAGE(table.isOk(), (table.isOk() ? "" : table.status().message()));
  using weft::router::ForwardAction;
  using weft::router::RetryPolicy;
  const auto& up = std::get<ForwardAction>(table->virtualHosts()[0].routes[0].action).upstream;
  BOOST_TEST(up.timeout_ms.value_or(0) == 3000u);
  BOOST_REQUIRE(up.retry.has_value());
  BOOST_TEST(up.retry->retry_on == (RetryPolicy::k5xx | RetryPolicy::kConnectFailure |
                                    RetryPolicy::kRetriableStatusCodes));
  BOOST_TEST(up.retry->num_retries == 3u);
  BOOST_TEST(up.retry->per_try_timeout_ms.value_or(0) == 500u);
  BOOST_TEST((up.retry->retriable_status_codes == std::vector<uint32_t>{503, 429}));
  BOOST_REQUIRE(up.retry->back_off.has_value());
  BOOST_TEST(up.retry->back_off->base_interval_ms == 10u);
  BOOST_TEST(up.retry->back_off->max_interval_ms == 100u);  // 10 × base by default
  BOOST_REQUIRE(up.mirrors.size() == 2u);
  BOOST_TEST(up.mirrors[0].cluster == "shadow");
  BOOST_TEST(up.mirrors[0].fraction.numerator == 5u);
  BOOST_TEST(up.mirrors[0].fraction.denominator == 10000u);
  BOOST_TEST(up.mirrors[1].fraction.numerator == 100u);

  const auto& plain = std::get<ForwardAction>(table->virtualHosts()[0].routes[1].action).upstream;
  BOOST_TEST(!plain.timeout_ms.has_value());
  BOOST_TEST(!plain.retry.has_value());
  BOOST_TEST(plain.mirrors.empty());
}

// ---- config errors ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(action_errors_name_the_field) {
  const std::string p = "router: route config 'rc': virtual_hosts[0].routes[0]";
  auto err = [](const std::string& route) { return configError(routerJson("[" + route + "]")); };
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"cluster":"c","redirect":{}})") ==
             p + ": needs exactly one of cluster, weighted_clusters, redirect, direct_response");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"weighted_clusters":{"clusters":[
      {"name":"a","weight":60},{"name":"b","weight":30}],"total_weight":100}})") ==
             p + ".weighted_clusters.total_weight: 100 is not the sum of the weights (90)");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"weighted_clusters":{"clusters":[
      {"name":"a","weight":0}]}})") ==
             p + ".weighted_clusters.clusters: the weights must not all be 0");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"weighted_clusters":{"clusters":[{"name":"a"}]}})") ==
             p + ".weighted_clusters.clusters[0].weight: required");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"weighted_clusters":{"clusters":[
      {"name":"a","weight":1.5}]}})") ==
             p + ".weighted_clusters.clusters[0].weight: must be an integer 0..4294967295, got "
                 "'1.5'");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"redirect":{"response_code":300}})") ==
             p + ".redirect.response_code: must be 301, 302, 303, 307 or 308 (or "
                 "MOVED_PERMANENTLY, FOUND, SEE_OTHER, TEMPORARY_REDIRECT, PERMANENT_REDIRECT), "
                 "got '300'");
  BOOST_TEST(
      err(R"({"match":{"prefix":"/"},"redirect":{"path_redirect":"/a","prefix_rewrite":"/b"}})") ==
      p + ".redirect: at most one of path_redirect, prefix_rewrite, regex_rewrite");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"redirect":{},"prefix_rewrite":"/b"})") ==
             p + ".prefix_rewrite: only for routes with cluster or weighted_clusters");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"direct_response":{"status":99}})") ==
             p + ".direct_response.status: must be an integer 200..599, got '99'");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"direct_response":{"status":200,"body":")" +
                 std::string(5000, 'x') + R"("}})") ==
             p + ".direct_response.body: longer than 4096 bytes");
  BOOST_TEST(err(R"j({"match":{"prefix":"/"},"cluster":"c","regex_rewrite":{
      "pattern":{"regex":"(a)"},"substitution":"\\2"}})j") ==
             p + ".regex_rewrite.substitution: Rewrite schema requests 2 matches, but the regexp "
                 "only has 1 parenthesized subexpressions.");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"cluster":"c","timeout":"soon"})") ==
             p + ".timeout: must be a duration like 250ms, 2s, 1m or 1h (a bare number means "
                 "milliseconds)");
  BOOST_TEST(
      err(R"({"match":{"prefix":"/"},"cluster":"c","retry_policy":{"retry_on":"5xx,often"}})")
          .find(p + ".retry_policy.retry_on: unknown condition 'often' (supported: 5xx,") == 0u);
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"cluster":"c","retry_policy":{"retry_on":"5xx",
      "retry_back_off":{"base_interval":"1s","max_interval":"10ms"}}})") ==
             p + ".retry_policy.retry_back_off.max_interval: must not be less than base_interval");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"cluster":"c","retry_policy":{"retry_on":"5xx",
      "retriable_status_codes":[503,"x"]}})") ==
             p + ".retry_policy.retriable_status_codes[1]: must be an integer 100..599, got 'x'");
  BOOST_TEST(err(R"({"match":{"prefix":"/"},"cluster":"c","request_mirror_policies":[{}]})") ==
             p + ".request_mirror_policies[0].cluster: required");
}

BOOST_AUTO_TEST_CASE(header_mutation_and_cors_errors_name_the_field) {
  const std::string p = "router: route config 'rc': virtual_hosts[0]";
  auto err = [](const std::string& vhost_extra) {
    return configError(routerJson(R"([{"match":{"prefix":"/"},"cluster":"c"}])", vhost_extra));
  };
  BOOST_TEST(err(R"(,"request_headers_to_add":[{"header":{"key":":path","value":"/x"}}])") ==
             p + ".request_headers_to_add[0].header.key: pseudo-header ':path' cannot be changed");
  BOOST_TEST(err(R"(,"request_headers_to_add":[{"header":{"key":"Host","value":"x"}}])") ==
             p + ".request_headers_to_add[0].header.key: 'host' cannot be changed here (use "
                 "host_rewrite_literal)");
  BOOST_TEST(err(R"(,"response_headers_to_add":[{"header":{"key":"bad name","value":"x"}}])") ==
             p + ".response_headers_to_add[0].header.key: 'bad name' is not a valid header name");
  BOOST_TEST(err(R"(,"response_headers_to_add":[{"header":{"key":"x-a",
      "value":"%DOWNSTREAM_REMOTE_ADDRESS%"}}])") ==
             p + ".response_headers_to_add[0].header.value: '%' formatters are not supported "
                 "yet (write %% for a literal %)");
  BOOST_TEST(err(R"(,"response_headers_to_add":[{"header":{"key":"x-a","value":"1"},
      "append_action":"SOMETIMES"}])") ==
             p + ".response_headers_to_add[0].append_action: must be APPEND_IF_EXISTS_OR_ADD, "
                 "ADD_IF_ABSENT, OVERWRITE_IF_EXISTS_OR_ADD or OVERWRITE_IF_EXISTS, got "
                 "'SOMETIMES'");
  BOOST_TEST(err(R"(,"response_headers_to_add":[{"header":{"key":"x-a","value":"1"},
      "append":true,"append_action":"ADD_IF_ABSENT"}])") ==
             p + ".response_headers_to_add[0]: at most one of append, append_action");
  BOOST_TEST(err(R"(,"request_headers_to_remove":[":authority"])") ==
             p + ".request_headers_to_remove[0]: pseudo-header ':authority' cannot be changed");
  BOOST_TEST(err(R"(,"cors":{"allow_methods":"GET"})") ==
             p + ".cors.allow_origin_string_match: required, a non-empty list");
  BOOST_TEST(err(R"(,"cors":{"allow_origin_string_match":[{"exact":"a"}],"max_age":"1h"})") ==
             p + ".cors.max_age: must be a number of seconds");
  BOOST_TEST(err(R"(,"cors":{"allow_origin_string_match":[{"glob":"a*"}]})") ==
             p + ".cors.allow_origin_string_match[0]: unknown field 'glob' (supported: exact, "
                 "prefix, suffix, contains, safe_regex, ignore_case)");
}

BOOST_AUTO_TEST_SUITE_END()
