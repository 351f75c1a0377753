// What the router hands the host's upstream stage besides the cluster, through the real host
// table (filter_test_host.h): the route's retry policy exactly as configured (set_retry_policy,
// ABI 1.3), and the request mirrors its fractions roll (add_request_mirror).
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "core/http/retry_state.h"
#include "filters/router/router_filter.h"
#include "tests/unit/filters/filter_test_host.h"

namespace {

using weft::testing::Fields;
using weft::testing::FilterHarness;

// A router config whose one route ("/") forwards to "backend" with `extra` route fields (leading
// comma included).
std::string routeJson(const std::string& extra) {
  return R"({"route_config":{"name":"rc","virtual_hosts":[{"name":"vh","domains":["*"],)"
         R"("routes":[{"name":"r","match":{"prefix":"/"},"cluster":"backend")" +
         extra + "}]}]}}";
}

const Fields kGet = {{":method", "GET"}, {":path", "/"}, {":authority", "a"}, {":scheme", "http"}};

std::string mirrorJson(const std::string& cluster, const std::string& fraction) {
  return R"({"cluster":")" + cluster + R"(","runtime_fraction":{"default_value":)" + fraction +
         "}}";
}

// One request through the router: the clusters it was mirrored to, in call order.
std::vector<std::string> mirrorsOfOneRequest(const FilterHarness& h) {
  auto s = h.stream(kGet);
  BOOST_TEST(s->requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(s->stream().cluster == "backend");
  return s->stream().mirrors;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(router_upstream_policy)

BOOST_AUTO_TEST_CASE(the_route_retry_policy_reaches_the_host_exactly) {
  FilterHarness h(weft_router_module_init, routeJson(R"(,"retry_policy":{
      "retry_on":"5xx,reset-before-request,retriable-status-codes,unavailable",
      "num_retries":3,"per_try_timeout":"500ms","retriable_status_codes":[503,429],
      "retry_back_off":{"base_interval":"10ms","max_interval":"70ms"}})"));
  auto s = h.run(kGet);
  BOOST_TEST(s->stream().cluster == "backend");
  BOOST_REQUIRE(s->stream().retry_policy.has_value());
  weft::http::RetryPolicy expected;
  expected.num_retries = 3;
  expected.retry_on = WEFT_RETRY_ON_5XX | WEFT_RETRY_ON_RESET_BEFORE_REQUEST |
                      WEFT_RETRY_ON_RETRIABLE_STATUS_CODES | WEFT_RETRY_ON_UNAVAILABLE;
  expected.per_try_timeout_ms = 500;
  expected.base_interval_ms = 10;
  expected.max_interval_ms = 70;
  expected.retriable_status_codes = {503, 429};
  BOOST_TEST((*s->stream().retry_policy == expected));
}

BOOST_AUTO_TEST_CASE(every_condition_name_maps_to_its_abi_bit) {
  FilterHarness h(weft_router_module_init,
                  routeJson(R"(,"retry_policy":{"retry_on":"5xx,gateway-error,reset,)"
                            R"(reset-before-request,connect-failure,retriable-4xx,refused-stream,)"
                            R"(retriable-status-codes,cancelled,deadline-exceeded,internal,)"
                            R"(resource-exhausted,unavailable"})"));
  auto s = h.run(kGet);
  BOOST_REQUIRE(s->stream().retry_policy.has_value());
  BOOST_TEST(s->stream().retry_policy->retry_on ==
             (WEFT_RETRY_ON_5XX | WEFT_RETRY_ON_GATEWAY_ERROR | WEFT_RETRY_ON_RESET |
              WEFT_RETRY_ON_RESET_BEFORE_REQUEST | WEFT_RETRY_ON_CONNECT_FAILURE |
              WEFT_RETRY_ON_RETRIABLE_4XX | WEFT_RETRY_ON_REFUSED_STREAM |
              WEFT_RETRY_ON_RETRIABLE_STATUS_CODES | WEFT_RETRY_ON_CANCELLED |
              WEFT_RETRY_ON_DEADLINE_EXCEEDED | WEFT_RETRY_ON_INTERNAL |
              WEFT_RETRY_ON_RESOURCE_EXHAUSTED | WEFT_RETRY_ON_UNAVAILABLE));
}

BOOST_AUTO_TEST_CASE(unset_fields_leave_the_hosts_defaults) {
  FilterHarness h(weft_router_module_init, routeJson(R"(,"retry_policy":{"retry_on":"reset"})"));
  auto s = h.run(kGet);
  BOOST_REQUIRE(s->stream().retry_policy.has_value());
  weft::http::RetryPolicy expected;  // one retry, no per-try timeout, 25 ms / 250 ms back-off
  expected.retry_on = WEFT_RETRY_ON_RESET;
  BOOST_TEST((*s->stream().retry_policy == expected));
}

BOOST_AUTO_TEST_CASE(a_route_without_policies_hands_none) {
  FilterHarness h(weft_router_module_init, routeJson(""));
  auto s = h.run(kGet);
  BOOST_TEST(s->stream().cluster == "backend");
  BOOST_TEST(!s->stream().retry_policy.has_value());
  BOOST_TEST(s->stream().mirrors.empty());
}

BOOST_AUTO_TEST_CASE(a_direct_response_hands_nothing_upstream) {
  FilterHarness h(weft_router_module_init,
                  R"({"route_config":{"name":"rc","virtual_hosts":[{"name":"vh","domains":["*"],)"
                  R"("routes":[{"match":{"prefix":"/"},"direct_response":{"status":503}}]}]}})");
  auto s = h.run(kGet);
  BOOST_TEST(!s->stream().retry_policy.has_value());
}

BOOST_AUTO_TEST_CASE(mirrors_at_100_percent_always_go_and_at_0_never) {
  FilterHarness h(
      weft_router_module_init,
      routeJson(R"(,"request_mirror_policies":[{"cluster":"always"},)" +
                mirrorJson("never", R"({"numerator":0})") + "," +
                mirrorJson("full", R"({"numerator":100,"denominator":"HUNDRED"})") + "," +
                mirrorJson("never-either", R"({"numerator":0,"denominator":"MILLION"})") + "," +
                mirrorJson("over", R"({"numerator":200})") + "]"));
  for (int i = 0; i < 200; ++i) {
    BOOST_TEST((mirrorsOfOneRequest(h) == std::vector<std::string>{"always", "full", "over"}));
  }
}

BOOST_AUTO_TEST_CASE(a_partial_fraction_mirrors_some_requests) {
  FilterHarness h(weft_router_module_init,
                  routeJson(R"(,"request_mirror_policies":[)" +
                            mirrorJson("half", R"({"numerator":50})") + "]"));
  int mirrored = 0;
  for (int i = 0; i < 1000; ++i) mirrored += static_cast<int>(mirrorsOfOneRequest(h).size());
  // Binomial(1000, 0.5): 300..700 is more than 12 standard deviations either side.
  BOOST_TEST(mirrored > 300);
  BOOST_TEST(mirrored < 700);
}

BOOST_AUTO_TEST_CASE(an_older_host_forwards_without_retries_or_mirrors) {
  FilterHarness h(weft_router_module_init,
                  routeJson(R"(,"retry_policy":{"retry_on":"5xx"},)"
                            R"("request_mirror_policies":[{"cluster":"shadow"}])"));
  for (int i = 0; i < 2; ++i) {  // the second time, the refusal is not logged again
    auto s = h.stream(kGet);
    s->stream().before_abi_1_3 = true;
    BOOST_TEST(s->requestHeaders() == WEFT_CONTINUE);
    BOOST_TEST(s->stream().cluster == "backend");
    BOOST_TEST(!s->stream().reply.has_value());
    BOOST_TEST(!s->stream().retry_policy.has_value());
    BOOST_TEST(s->stream().mirrors.empty());
  }
  BOOST_TEST(h.counter("router.routed") == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
