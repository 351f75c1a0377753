// RetryState: which attempt outcomes retry_on names, the retry budget and the back-off; see
// retry_state.h.
#include "core/http/retry_state.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "core/http/grpc.h"

namespace weft::http {
namespace {

// The gRPC conditions and the grpc-status each one retries.
constexpr std::pair<uint32_t, uint32_t> kGrpcConditions[] = {
    {WEFT_RETRY_ON_CANCELLED, 1},  // CANCELLED (grpc.h lists only the codes the proxy sends)
    {WEFT_RETRY_ON_DEADLINE_EXCEEDED, grpc::kDeadlineExceeded},
    {WEFT_RETRY_ON_INTERNAL, grpc::kInternal},
    {WEFT_RETRY_ON_RESOURCE_EXHAUSTED, grpc::kResourceExhausted},
    {WEFT_RETRY_ON_UNAVAILABLE, grpc::kUnavailable},
};

// Every failure (an attempt without response headers) counts as a "5xx" and a gateway error, as
// in Envoy: the client would get one.
constexpr uint32_t kRetryOnAnyFailure =
    WEFT_RETRY_ON_5XX | WEFT_RETRY_ON_GATEWAY_ERROR | WEFT_RETRY_ON_RESET;

// A header value made of decimal digits only, or nullopt.
std::optional<uint32_t> parseNumber(const std::string* value) {
  if (value == nullptr || value->empty()) return std::nullopt;
  uint32_t number = 0;
  const char* end = value->data() + value->size();
  auto [stop, error] = std::from_chars(value->data(), end, number);
  if (error != std::errc() || stop != end) return std::nullopt;
  return number;
}

}  // namespace

RetryState::RetryState(RetryPolicy policy, std::mt19937_64& random)
    : policy_(std::move(policy)), random_(random), backoff_window_ms_(policy_.base_interval_ms) {}

bool RetryState::retriableResponse(uint32_t http_status,
                                   std::optional<uint32_t> grpc_status) const {
  const uint32_t on = policy_.retry_on;
  if ((on & WEFT_RETRY_ON_5XX) && http_status >= 500 && http_status <= 599) return true;
  if ((on & WEFT_RETRY_ON_GATEWAY_ERROR) && http_status >= 502 && http_status <= 504) return true;
  if ((on & WEFT_RETRY_ON_RETRIABLE_4XX) && http_status == 409) return true;
  if ((on & WEFT_RETRY_ON_RETRIABLE_STATUS_CODES) &&
      std::ranges::find(policy_.retriable_status_codes, http_status) !=
          policy_.retriable_status_codes.end()) {
    return true;
  }
  if (grpc_status) {
    for (const auto& [bit, code] : kGrpcConditions) {
      if ((on & bit) && *grpc_status == code) return true;
    }
  }
  return false;
}

bool RetryState::retriableFailure(UpstreamFailure failure, bool request_sent) const {
  const uint32_t on = policy_.retry_on;
  if (on & kRetryOnAnyFailure) return true;
  const bool connect_failure = failure == UpstreamFailure::kConnectFailure;
  if ((on & WEFT_RETRY_ON_RESET_BEFORE_REQUEST) && (!request_sent || connect_failure)) return true;
  if ((on & WEFT_RETRY_ON_CONNECT_FAILURE) && connect_failure) return true;
  return (on & WEFT_RETRY_ON_REFUSED_STREAM) && failure == UpstreamFailure::kRefusedStream;
}

RetryDecision RetryState::onResponse(uint32_t http_status, std::optional<uint32_t> grpc_status) {
  return decide(retriableResponse(http_status, grpc_status));
}

RetryDecision RetryState::onResponseHeaders(const HeaderMap& headers) {
  return onResponse(headers.statusCode(), parseNumber(headers.get("grpc-status")));
}

RetryDecision RetryState::onFailure(UpstreamFailure failure, bool request_sent) {
  return decide(retriableFailure(failure, request_sent));
}

RetryDecision RetryState::decide(bool retriable) {
  if (!retriable) return {RetryDecision::Verdict::kNoRetry, 0};
  if (retries_used_ >= policy_.num_retries) return {RetryDecision::Verdict::kExhausted, 0};
  ++retries_used_;
  return {RetryDecision::Verdict::kRetry, nextBackoffMs()};
}

// Retry n draws from [0, min((2^n - 1) * base, max)): the window grows as w' = 2w + base from
// w = base, and stops growing once it reaches max (jumping straight there rather than overflow).
uint64_t RetryState::nextBackoffMs() {
  const uint64_t max = policy_.max_interval_ms;
  const uint64_t limit = std::min(backoff_window_ms_, max);
  if (backoff_window_ms_ < max) {
    const bool fits = backoff_window_ms_ <= (max - policy_.base_interval_ms) / 2;
    backoff_window_ms_ = fits ? 2 * backoff_window_ms_ + policy_.base_interval_ms : max;
  }
  if (limit == 0) return 0;
  return std::uniform_int_distribution<uint64_t>(0, limit - 1)(random_);
}

}  // namespace weft::http
