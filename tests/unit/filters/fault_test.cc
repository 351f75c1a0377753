// Tests for the fault filter (filters/fault), driven through the real host table
// (filter_test_host.h): aborts (HTTP and gRPC), delays held on a timer, percentages, header
// matching, max_active_faults, counters, the response-flag metadata, and config errors.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <string>

#include "filters/fault/fault_filter.h"
#include "tests/unit/filters/filter_test_host.h"

namespace {

using weft::testing::Fields;
using weft::testing::FilterHarness;

Fields request(Fields extra = {}) {
  Fields fields{{":method", "GET"}, {":path", "/"}, {":authority", "svc"}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

std::string configError(const std::string& json) {
  return FilterHarness::configError(weft_fault_module_init, json);
}

constexpr const char* kAlwaysAbort503 =
    R"({"abort":{"http_status":503,"percentage":{"numerator":100}}})";

}  // namespace

BOOST_AUTO_TEST_SUITE(fault_filter)

BOOST_AUTO_TEST_CASE(http_abort) {
  FilterHarness h(weft_fault_module_init, kAlwaysAbort503);
  {
    auto s = h.stream(request());
    BOOST_TEST(s->requestHeaders() == WEFT_STOP_ITERATION);
    BOOST_REQUIRE(s->stream().reply.has_value());
    BOOST_TEST(s->stream().reply->status == 503u);
    BOOST_TEST(s->stream().reply->body == "fault filter abort");
    BOOST_TEST(s->stream().reply->details == "fault_filter_abort");
    BOOST_TEST(s->stream().response_flags == "FI");
    BOOST_TEST(h.counter("fault.aborts_injected") == 1u);
    BOOST_TEST(h.counter("fault.delays_injected") == 0u);
    BOOST_TEST(h.gauge("fault.active_faults") == 1);
  }
  BOOST_TEST(h.gauge("fault.active_faults") == 0);  // the stream ended
}

BOOST_AUTO_TEST_CASE(grpc_abort_is_trailers_only) {
  FilterHarness h(weft_fault_module_init,
                  R"({"abort":{"grpc_status":14,"percentage":{"numerator":100}}})");
  auto s = h.run(request());
  BOOST_REQUIRE(s->stream().reply.has_value());
  const auto& reply = *s->stream().reply;
  BOOST_TEST(reply.status == 200u);
  BOOST_TEST(reply.body == "");
  BOOST_TEST(reply.header("content-type").value_or("") == "application/grpc");
  BOOST_TEST(reply.header("grpc-status").value_or("") == "14");
  BOOST_TEST(reply.header("grpc-message").value_or("") == "fault filter abort");
}

BOOST_AUTO_TEST_CASE(http_abort_of_a_grpc_request_is_mapped) {
  for (const auto& [http, grpc] :
       {std::pair{503, "14"}, std::pair{404, "12"}, std::pair{401, "16"}, std::pair{418, "2"}}) {
    FilterHarness h(weft_fault_module_init, R"({"abort":{"http_status":)" + std::to_string(http) +
                                                R"(,"percentage":{"numerator":100}}})");
    auto s = h.run(request({{"content-type", "application/grpc+proto"}}));
    BOOST_REQUIRE(s->stream().reply.has_value());
    BOOST_TEST(s->stream().reply->status == 200u);
    BOOST_TEST(s->stream().reply->header("grpc-status").value_or("") == grpc, "http " << http);
  }
}

BOOST_AUTO_TEST_CASE(delay_holds_the_request_until_the_timer) {
  FilterHarness h(weft_fault_module_init,
                  R"({"delay":{"fixed_delay":"2s","percentage":{"numerator":100}}})");
  auto s = h.stream(request());
  BOOST_TEST(s->requestHeaders() == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(s->stream().timers.size() == 1u);
  BOOST_TEST(s->stream().timers[0].delay_ms == 2000u);
  BOOST_TEST(s->stream().continues == 0);
  BOOST_TEST(s->stream().response_flags == "DI");
  BOOST_TEST(h.counter("fault.delays_injected") == 1u);
  BOOST_TEST(h.gauge("fault.active_faults") == 1);
  s->fireTimer();
  BOOST_TEST(s->stream().continues == 1);
  BOOST_TEST(!s->stream().reply.has_value());
}

BOOST_AUTO_TEST_CASE(delay_then_abort) {
  FilterHarness h(weft_fault_module_init, R"({"delay":{"fixed_delay":150,
      "percentage":{"numerator":100}},
      "abort":{"http_status":500,"percentage":{"numerator":100}}})");
  auto s = h.stream(request());
  BOOST_TEST(s->requestHeaders() == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(s->stream().timers.size() == 1u);
  BOOST_TEST(s->stream().timers[0].delay_ms == 150u);
  BOOST_TEST(!s->stream().reply.has_value());
  s->fireTimer();
  BOOST_REQUIRE(s->stream().reply.has_value());
  BOOST_TEST(s->stream().reply->status == 500u);
  BOOST_TEST(s->stream().continues == 0);
  BOOST_TEST(s->stream().response_flags == "DI,FI");
  BOOST_TEST(h.counter("fault.delays_injected") == 1u);
  BOOST_TEST(h.counter("fault.aborts_injected") == 1u);
}

BOOST_AUTO_TEST_CASE(percentages) {
  for (const auto& [config, expected] :
       {std::pair{R"({"numerator":0})", 0}, std::pair{R"({"numerator":30})", 3000},
        std::pair{R"({"numerator":2500,"denominator":"TEN_THOUSAND"})", 2500},
        std::pair{R"({"numerator":500000,"denominator":"MILLION"})", 5000},
        std::pair{R"({"numerator":200})", 10000}}) {
    FilterHarness h(weft_fault_module_init,
                    std::string(R"({"abort":{"http_status":503,"percentage":)") + config + "}}");
    constexpr int kRequests = 10000;
    int aborted = 0;
    for (int i = 0; i < kRequests; ++i) aborted += h.run(request())->stream().reply ? 1 : 0;
    BOOST_TEST(std::abs(aborted - expected) <= kRequests * 2 / 100, config << ": " << aborted);
    BOOST_TEST(h.counter("fault.aborts_injected") == static_cast<uint64_t>(aborted));
  }
}

BOOST_AUTO_TEST_CASE(only_matching_requests_are_faulted) {
  FilterHarness h(weft_fault_module_init, R"({"abort":{"http_status":503,
      "percentage":{"numerator":100}},"headers":[{"name":"x-user","exact_match":"tester"},
      {"name":":method","exact_match":"GET"}]})");
  BOOST_TEST(h.run(request({{"x-user", "tester"}}))->stream().reply.has_value());
  auto other = h.stream(request({{"x-user", "someone"}}));
  BOOST_TEST(other->requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(!other->stream().reply.has_value());
  BOOST_TEST(!h.run(request())->stream().reply.has_value());
  BOOST_TEST(h.counter("fault.aborts_injected") == 1u);
}

BOOST_AUTO_TEST_CASE(max_active_faults_bounds_faults_in_flight) {
  FilterHarness h(weft_fault_module_init, R"({"delay":{"fixed_delay":"1s",
      "percentage":{"numerator":100}},"max_active_faults":1})");
  auto first = h.stream(request());
  BOOST_TEST(first->requestHeaders() == WEFT_STOP_ITERATION);
  {
    auto second = h.stream(request());
    BOOST_TEST(second->requestHeaders() == WEFT_CONTINUE);  // over the limit: left alone
    BOOST_TEST(second->stream().timers.empty());
    BOOST_TEST(h.counter("fault.faults_overflow") == 1u);
  }
  BOOST_TEST(h.gauge("fault.active_faults") == 1);
  first.reset();  // the first faulted stream ends
  BOOST_TEST(h.gauge("fault.active_faults") == 0);
  auto third = h.stream(request());
  BOOST_TEST(third->requestHeaders() == WEFT_STOP_ITERATION);
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_field) {
  BOOST_TEST(configError("{}") == "fault: needs delay, abort or both");
  BOOST_TEST(configError(R"({"abort":{"http_status":503}})") ==
             "fault: abort.percentage: required (a missing percentage would mean 0%)");
  BOOST_TEST(configError(R"({"abort":{"http_status":503,"grpc_status":14,
      "percentage":{"numerator":1}}})") ==
             "fault: abort: needs exactly one of http_status, grpc_status");
  BOOST_TEST(configError(R"({"abort":{"http_status":600,"percentage":{"numerator":1}}})") ==
             "fault: abort.http_status: must be an integer 200..599, got '600'");
  BOOST_TEST(configError(R"({"abort":{"grpc_status":17,"percentage":{"numerator":1}}})") ==
             "fault: abort.grpc_status: must be an integer 0..16, got '17'");
  BOOST_TEST(configError(R"({"delay":{"fixed_delay":"2x","percentage":{"numerator":1}}})") ==
             "fault: delay.fixed_delay: must be a duration like 250ms, 2s, 1m or 1h (a bare "
             "number means milliseconds)");
  BOOST_TEST(configError(R"({"delay":{"percentage":{"numerator":1}}})") ==
             "fault: delay.fixed_delay: required");
  BOOST_TEST(configError(R"({"delay":{"fixed_delay":"1s","percentage":{"numerator":1,
      "denominator":"THOUSAND"}}})") ==
             "fault: delay.percentage.denominator: must be HUNDRED, TEN_THOUSAND or MILLION, got "
             "'THOUSAND'");
  BOOST_TEST(configError(R"({"abort":{"header_abort":{},"percentage":{"numerator":1}}})") ==
             "fault: abort: unknown field 'header_abort' (supported: http_status, grpc_status, "
             "percentage)");
  BOOST_TEST(configError(R"({"upstream_cluster":"c","abort":{}})") ==
             "fault: unknown field 'upstream_cluster' (supported: delay, abort, headers, "
             "max_active_faults)");
  BOOST_TEST(configError(R"({"abort":{"http_status":503,"percentage":{"numerator":1}},
      "headers":[{"name":"x","safe_regex_match":{"regex":"("}}]})")
                 .find("fault: headers[0].safe_regex_match.regex: invalid regex '('") == 0u);
  BOOST_TEST(configError(R"({"abort":{"http_status":503,"percentage":{"numerator":1}},
      "max_active_faults":0})") ==
             "fault: max_active_faults: must be an integer 1..4294967295, got '0'");
  BOOST_TEST(configError("[").find("fault: invalid JSON") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
