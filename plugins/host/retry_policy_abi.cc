// retryPolicyFromAbi: see retry_policy_abi.h.
#include "plugins/host/retry_policy_abi.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>

namespace weft::plugins {
namespace {

// The fields every weft_retry_policy has: struct_size, num_retries, retry_on.
constexpr size_t kMinRetryPolicySize = offsetof(weft_retry_policy, retry_on) + sizeof(uint32_t);

// Every WEFT_RETRY_ON_* bit this host knows: the bits are append-only, so when the header grows a
// minor, this moves to the new last one.
constexpr uint32_t kKnownRetryOn = (WEFT_RETRY_ON_UNAVAILABLE << 1) - 1;

}  // namespace

std::optional<http::RetryPolicy> retryPolicyFromAbi(const weft_retry_policy* policy) {
  if (policy == nullptr || policy->struct_size < kMinRetryPolicySize) return std::nullopt;
  weft_retry_policy given;
  std::memset(&given, 0, sizeof given);
  std::memcpy(&given, policy, std::min<size_t>(policy->struct_size, sizeof given));

  if ((given.retry_on & ~kKnownRetryOn) != 0) return std::nullopt;
  if (given.retriable_status_codes == nullptr && given.retriable_status_code_count != 0) {
    return std::nullopt;
  }
  http::RetryPolicy out;
  out.num_retries = given.num_retries;
  out.retry_on = given.retry_on;
  out.per_try_timeout_ms = given.per_try_timeout_ms;
  if (given.base_interval_ms != 0) out.base_interval_ms = given.base_interval_ms;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  out.max_interval_ms = given.max_interval_ms != 0
                            ? given.max_interval_ms
                            : (out.base_interval_ms > kMax / 10 ? kMax : 10 * out.base_interval_ms);
  if (out.max_interval_ms < out.base_interval_ms) return std::nullopt;

  for (size_t i = 0; i < given.retriable_status_code_count; ++i) {
    const uint32_t code = given.retriable_status_codes[i];
    if (code < 100 || code > 599) return std::nullopt;
    out.retriable_status_codes.push_back(code);
  }
  return out;
}

}  // namespace weft::plugins
