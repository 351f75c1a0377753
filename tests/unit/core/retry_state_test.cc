// RetryState (core/http/retry_state.h): every retry_on condition against responses and failures,
// the retry budget, and the jittered exponential back-off's bounds and growth.
#include "core/http/retry_state.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <vector>

namespace weft::http {
namespace {

RetryPolicy policyOn(uint32_t retry_on, uint32_t num_retries = 1) {
  RetryPolicy policy;
  policy.retry_on = retry_on;
  policy.num_retries = num_retries;
  return policy;
}

// Whether a fresh state with `retry_on` retries an attempt that answered `status` (and
// `grpc_status`).
bool retriesResponse(uint32_t retry_on, uint32_t status,
                     std::optional<uint32_t> grpc_status = std::nullopt,
                     std::vector<uint32_t> codes = {}) {
  std::mt19937_64 random(1);
  RetryPolicy policy = policyOn(retry_on);
  policy.retriable_status_codes = std::move(codes);
  RetryState state(std::move(policy), random);
  const RetryDecision decision = state.onResponse(status, grpc_status);
  BOOST_TEST(decision.retry() == state.retriableResponse(status, grpc_status));
  return decision.retry();
}

bool retriesFailure(uint32_t retry_on, UpstreamFailure failure, bool request_sent) {
  std::mt19937_64 random(1);
  RetryState state(policyOn(retry_on), random);
  return state.onFailure(failure, request_sent).retry();
}

constexpr UpstreamFailure kAllFailures[] = {
    UpstreamFailure::kConnectFailure, UpstreamFailure::kReset, UpstreamFailure::kRefusedStream,
    UpstreamFailure::kPerTryTimeout};

}  // namespace

BOOST_AUTO_TEST_SUITE(retry_state)

BOOST_AUTO_TEST_CASE(defaults_are_envoys) {
  const RetryPolicy policy;
  BOOST_TEST(policy.num_retries == 1u);
  BOOST_TEST(policy.retry_on == 0u);
  BOOST_TEST(policy.per_try_timeout_ms == 0u);
  BOOST_TEST(policy.base_interval_ms == 25u);
  BOOST_TEST(policy.max_interval_ms == 250u);
}

BOOST_AUTO_TEST_CASE(five_xx_retries_every_5xx_and_every_failure) {
  for (uint32_t status : {500u, 501u, 502u, 503u, 504u, 599u}) {
    BOOST_TEST(retriesResponse(WEFT_RETRY_ON_5XX, status), status);
  }
  for (uint32_t status : {200u, 204u, 302u, 404u, 409u, 429u}) {
    BOOST_TEST(!retriesResponse(WEFT_RETRY_ON_5XX, status), status);
  }
  for (UpstreamFailure failure : kAllFailures) {
    BOOST_TEST(retriesFailure(WEFT_RETRY_ON_5XX, failure, true));
    BOOST_TEST(retriesFailure(WEFT_RETRY_ON_5XX, failure, false));
  }
}

BOOST_AUTO_TEST_CASE(gateway_error_retries_502_503_504_and_every_failure) {
  for (uint32_t status : {502u, 503u, 504u}) {
    BOOST_TEST(retriesResponse(WEFT_RETRY_ON_GATEWAY_ERROR, status), status);
  }
  for (uint32_t status : {200u, 409u, 500u, 501u, 505u}) {
    BOOST_TEST(!retriesResponse(WEFT_RETRY_ON_GATEWAY_ERROR, status), status);
  }
  for (UpstreamFailure failure : kAllFailures) {
    BOOST_TEST(retriesFailure(WEFT_RETRY_ON_GATEWAY_ERROR, failure, true));
  }
}

BOOST_AUTO_TEST_CASE(reset_retries_every_failure_and_no_response) {
  for (UpstreamFailure failure : kAllFailures) {
    BOOST_TEST(retriesFailure(WEFT_RETRY_ON_RESET, failure, true));
  }
  for (uint32_t status : {500u, 503u, 409u}) {
    BOOST_TEST(!retriesResponse(WEFT_RETRY_ON_RESET, status), status);
  }
}

BOOST_AUTO_TEST_CASE(reset_before_request_only_when_nothing_went_upstream) {
  const uint32_t on = WEFT_RETRY_ON_RESET_BEFORE_REQUEST;
  BOOST_TEST(retriesFailure(on, UpstreamFailure::kReset, false));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kReset, true));
  BOOST_TEST(retriesFailure(on, UpstreamFailure::kPerTryTimeout, false));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kPerTryTimeout, true));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kRefusedStream, true));
  // A connect failure never sent anything, whatever the caller says.
  BOOST_TEST(retriesFailure(on, UpstreamFailure::kConnectFailure, true));
  BOOST_TEST(!retriesResponse(on, 503));
}

BOOST_AUTO_TEST_CASE(connect_failure_only_for_connect_failures) {
  const uint32_t on = WEFT_RETRY_ON_CONNECT_FAILURE;
  BOOST_TEST(retriesFailure(on, UpstreamFailure::kConnectFailure, false));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kReset, false));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kRefusedStream, true));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kPerTryTimeout, true));
  BOOST_TEST(!retriesResponse(on, 503));
}

BOOST_AUTO_TEST_CASE(refused_stream_only_for_refused_streams) {
  const uint32_t on = WEFT_RETRY_ON_REFUSED_STREAM;
  BOOST_TEST(retriesFailure(on, UpstreamFailure::kRefusedStream, true));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kReset, true));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kConnectFailure, false));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kPerTryTimeout, true));
  BOOST_TEST(!retriesResponse(on, 503));
}

BOOST_AUTO_TEST_CASE(retriable_4xx_is_409_only) {
  BOOST_TEST(retriesResponse(WEFT_RETRY_ON_RETRIABLE_4XX, 409));
  for (uint32_t status : {400u, 404u, 429u, 503u}) {
    BOOST_TEST(!retriesResponse(WEFT_RETRY_ON_RETRIABLE_4XX, status), status);
  }
  BOOST_TEST(!retriesFailure(WEFT_RETRY_ON_RETRIABLE_4XX, UpstreamFailure::kReset, true));
}

BOOST_AUTO_TEST_CASE(retriable_status_codes_match_the_list_only_when_asked) {
  const uint32_t on = WEFT_RETRY_ON_RETRIABLE_STATUS_CODES;
  BOOST_TEST(retriesResponse(on, 429, std::nullopt, {429, 418}));
  BOOST_TEST(retriesResponse(on, 418, std::nullopt, {429, 418}));
  BOOST_TEST(!retriesResponse(on, 503, std::nullopt, {429, 418}));
  BOOST_TEST(!retriesResponse(on, 429, std::nullopt, {}));
  // The list alone, without the condition, retries nothing.
  BOOST_TEST(!retriesResponse(WEFT_RETRY_ON_5XX, 429, std::nullopt, {429}));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kReset, true));
}

BOOST_AUTO_TEST_CASE(grpc_conditions_match_their_status_in_the_headers) {
  const struct {
    uint32_t bit;
    uint32_t grpc_status;
  } cases[] = {
      {WEFT_RETRY_ON_CANCELLED, 1},    {WEFT_RETRY_ON_DEADLINE_EXCEEDED, 4},
      {WEFT_RETRY_ON_INTERNAL, 13},    {WEFT_RETRY_ON_RESOURCE_EXHAUSTED, 8},
      {WEFT_RETRY_ON_UNAVAILABLE, 14},
  };
  for (const auto& c : cases) {
    BOOST_TEST(retriesResponse(c.bit, 200, c.grpc_status), c.grpc_status);
    BOOST_TEST(!retriesResponse(c.bit, 200, std::nullopt));
    BOOST_TEST(!retriesResponse(c.bit, 503, std::nullopt));
    for (const auto& other : cases) {
      if (other.bit != c.bit) BOOST_TEST(!retriesResponse(c.bit, 200, other.grpc_status));
    }
    BOOST_TEST(!retriesFailure(c.bit, UpstreamFailure::kReset, true));
  }
  BOOST_TEST(!retriesResponse(WEFT_RETRY_ON_5XX, 200, 14u));  // grpc-status is not an HTTP 5xx
}

BOOST_AUTO_TEST_CASE(nothing_without_conditions) {
  BOOST_TEST(!retriesResponse(0, 503));
  for (UpstreamFailure failure : kAllFailures) BOOST_TEST(!retriesFailure(0, failure, false));
}

BOOST_AUTO_TEST_CASE(conditions_combine) {
  const uint32_t on = WEFT_RETRY_ON_RETRIABLE_4XX | WEFT_RETRY_ON_CONNECT_FAILURE;
  BOOST_TEST(retriesResponse(on, 409));
  BOOST_TEST(retriesFailure(on, UpstreamFailure::kConnectFailure, false));
  BOOST_TEST(!retriesResponse(on, 503));
  BOOST_TEST(!retriesFailure(on, UpstreamFailure::kReset, true));
}

BOOST_AUTO_TEST_CASE(response_headers_are_read) {
  std::mt19937_64 random(1);
  RetryState state(policyOn(WEFT_RETRY_ON_5XX | WEFT_RETRY_ON_UNAVAILABLE, 10), random);
  HeaderMap headers;
  headers.add(":status", "503");
  BOOST_TEST(state.onResponseHeaders(headers).retry());
  headers.set(":status", "200");
  BOOST_TEST(!state.onResponseHeaders(headers).retry());
  headers.add("grpc-status", "14");
  BOOST_TEST(state.onResponseHeaders(headers).retry());
  headers.set("grpc-status", "14x");  // malformed: no grpc-status at all
  BOOST_TEST(!state.onResponseHeaders(headers).retry());
  HeaderMap no_status;
  BOOST_TEST(!state.onResponseHeaders(no_status).retry());
  BOOST_TEST(state.retriesUsed() == 2u);
}

BOOST_AUTO_TEST_CASE(retries_run_out_after_num_retries) {
  std::mt19937_64 random(7);
  RetryState state(policyOn(WEFT_RETRY_ON_5XX, 2), random);
  BOOST_TEST(state.onResponse(503, std::nullopt).retry());
  BOOST_TEST(state.onFailure(UpstreamFailure::kReset, true).retry());
  BOOST_TEST(state.retriesUsed() == 2u);
  const RetryDecision spent = state.onResponse(503, std::nullopt);
  BOOST_TEST(!spent.retry());
  BOOST_TEST((spent.verdict == RetryDecision::Verdict::kExhausted));
  // An outcome retry_on does not name is "no", not "exhausted".
  BOOST_TEST((state.onResponse(200, std::nullopt).verdict == RetryDecision::Verdict::kNoRetry));
  BOOST_TEST(state.retriesUsed() == 2u);
}

BOOST_AUTO_TEST_CASE(zero_retries_never_retry) {
  std::mt19937_64 random(7);
  RetryState state(policyOn(WEFT_RETRY_ON_5XX, 0), random);
  BOOST_TEST((state.onResponse(503, std::nullopt).verdict == RetryDecision::Verdict::kExhausted));
  BOOST_TEST(state.retriesUsed() == 0u);
}

BOOST_AUTO_TEST_CASE(a_non_retriable_outcome_spends_nothing) {
  std::mt19937_64 random(7);
  RetryState state(policyOn(WEFT_RETRY_ON_GATEWAY_ERROR, 1), random);
  BOOST_TEST(!state.onResponse(500, std::nullopt).retry());
  BOOST_TEST(state.retriesUsed() == 0u);
  BOOST_TEST(state.onResponse(502, std::nullopt).retry());
}

// Over many seeds, retry n's back-off stays below min((2^n - 1) * base, max) and reaches past the
// previous retry's window: Envoy's 0-24 ms, 0-74 ms, 0-174 ms, then capped at 250 ms.
BOOST_AUTO_TEST_CASE(backoff_is_jittered_exponential_and_capped) {
  const uint64_t bounds[] = {25, 75, 175, 250, 250, 250};
  uint64_t highest[std::size(bounds)] = {};
  for (uint64_t seed = 0; seed < 300; ++seed) {
    std::mt19937_64 random(seed);
    RetryState state(policyOn(WEFT_RETRY_ON_5XX, std::size(bounds)), random);
    for (size_t n = 0; n < std::size(bounds); ++n) {
      const RetryDecision decision = state.onResponse(503, std::nullopt);
      BOOST_REQUIRE(decision.retry());
      BOOST_TEST(decision.backoff_ms < bounds[n], "retry " << n + 1);
      highest[n] = std::max(highest[n], decision.backoff_ms);
    }
  }
  // Each window is used up to its end (its top 5% is reached), so the windows are exactly these.
  for (size_t n = 0; n < std::size(bounds); ++n) {
    BOOST_TEST(highest[n] >= bounds[n] - bounds[n] / 20 - 1, "retry " << n + 1);
  }
}

BOOST_AUTO_TEST_CASE(backoff_follows_the_policy_intervals) {
  std::mt19937_64 random(3);
  RetryPolicy policy = policyOn(WEFT_RETRY_ON_RESET, 3);
  policy.base_interval_ms = 1;
  policy.max_interval_ms = 1;
  RetryState state(std::move(policy), random);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(state.onFailure(UpstreamFailure::kReset, true).backoff_ms == 0u);  // [0, 1)
  }
}

BOOST_AUTO_TEST_CASE(backoff_window_never_overflows) {
  std::mt19937_64 random(5);
  RetryPolicy policy = policyOn(WEFT_RETRY_ON_RESET, 1000);
  policy.base_interval_ms = uint64_t{1} << 40;
  policy.max_interval_ms = std::numeric_limits<uint64_t>::max();
  RetryState state(std::move(policy), random);
  uint64_t highest = 0;
  for (int i = 0; i < 1000; ++i) {
    const RetryDecision decision = state.onFailure(UpstreamFailure::kReset, true);
    BOOST_REQUIRE(decision.retry());
    highest = std::max(highest, decision.backoff_ms);
  }
  // Had the window wrapped around, late draws would come from a tiny window again.
  BOOST_TEST(highest > (uint64_t{1} << 62));
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_backoffs) {
  auto backoffs = [](uint64_t seed) {
    std::mt19937_64 random(seed);
    RetryState state(policyOn(WEFT_RETRY_ON_5XX, 4), random);
    std::vector<uint64_t> out;
    for (int i = 0; i < 4; ++i) out.push_back(state.onResponse(500, std::nullopt).backoff_ms);
    return out;
  };
  BOOST_TEST(backoffs(42) == backoffs(42));
  BOOST_TEST(backoffs(42) != backoffs(43));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::http
