// UpstreamPolicy: a route's timeout, retry policy and request mirrors, in Envoy's field names:
//   "timeout": "15s"                       the whole upstream exchange; "0s" disables
//   "retry_policy": {"retry_on": "5xx,connect-failure", "num_retries": 2,
//                    "per_try_timeout": "1s", "retriable_status_codes": [503],
//                    "retry_back_off": {"base_interval": "25ms", "max_interval": "250ms"}}
//   "request_mirror_policies": [{"cluster": "shadow",
//                                "runtime_fraction": {"default_value": <FractionalPercent>}}]
// (durations as everywhere in Weft: "250ms", "2s", "1m", "1h" or a bare number of milliseconds).
//
// The router parses and validates these and keeps them on the Route; for each request it forwards
// it hands them to the upstream stage through the ABI: the timeout (set_upstream_timeout: 504 with
// flag UT when it passes), the retry policy as it is (set_retry_policy, ABI 1.3), and each mirror
// whose fraction the request rolls (add_request_mirror, ABI 1.3). The host does the re-sending and
// the copying.
//
// Plain immutable values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "filters/router/fractional_percent.h"
#include "weft/filter_abi.h"

namespace YAML {
class Node;
}

namespace weft::router {

struct RetryPolicy {
  // retry_on conditions, one bit each (Envoy's names in the comments): the ABI's WEFT_RETRY_ON_*
  // bits, whose meaning weft/filter_abi.h spells out, so the set goes to the host unchanged.
  enum On : uint32_t {
    k5xx = WEFT_RETRY_ON_5XX,                                      // 5xx
    kGatewayError = WEFT_RETRY_ON_GATEWAY_ERROR,                   // gateway-error (502, 503, 504)
    kReset = WEFT_RETRY_ON_RESET,                                  // reset
    kResetBeforeRequest = WEFT_RETRY_ON_RESET_BEFORE_REQUEST,      // reset-before-request
    kConnectFailure = WEFT_RETRY_ON_CONNECT_FAILURE,               // connect-failure
    kRetriable4xx = WEFT_RETRY_ON_RETRIABLE_4XX,                   // retriable-4xx (409)
    kRefusedStream = WEFT_RETRY_ON_REFUSED_STREAM,                 // refused-stream
    kRetriableStatusCodes = WEFT_RETRY_ON_RETRIABLE_STATUS_CODES,  // retriable-status-codes
    kGrpcCancelled = WEFT_RETRY_ON_CANCELLED,                      // cancelled
    kGrpcDeadlineExceeded = WEFT_RETRY_ON_DEADLINE_EXCEEDED,       // deadline-exceeded
    kGrpcInternal = WEFT_RETRY_ON_INTERNAL,                        // internal
    kGrpcResourceExhausted = WEFT_RETRY_ON_RESOURCE_EXHAUSTED,     // resource-exhausted
    kGrpcUnavailable = WEFT_RETRY_ON_UNAVAILABLE,                  // unavailable
  };
  struct BackOff {
    uint32_t base_interval_ms = 25;
    uint32_t max_interval_ms = 250;  // default: 10 × base_interval
  };

  uint32_t retry_on = 0;  // a set of On bits
  uint32_t num_retries = 1;
  std::optional<uint32_t> per_try_timeout_ms;
  std::vector<uint32_t> retriable_status_codes;
  std::optional<BackOff> back_off;  // absent: the host's defaults (Envoy's 25 ms and 250 ms)

  // The policy as set_retry_policy takes it. It views retriable_status_codes: valid while this
  // policy is (the host copies it during the call).
  weft_retry_policy toAbi() const;
};

struct MirrorPolicy {
  std::string cluster;
  FractionalPercent fraction{100, 100};  // default: every request
};

struct UpstreamPolicy {
  std::optional<uint32_t> timeout_ms;  // absent: the upstream stage's default
  std::optional<RetryPolicy> retry;
  std::vector<MirrorPolicy> mirrors;

  // Reads timeout, retry_policy and request_mirror_policies from the route at `where`.
  static Result<UpstreamPolicy> parse(const YAML::Node& route, const std::string& where);
};

}  // namespace weft::router
