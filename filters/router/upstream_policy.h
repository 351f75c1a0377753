// UpstreamPolicy: a route's timeout, retry policy and request mirrors, in Envoy's field names:
//   "timeout": "15s"                       the whole upstream exchange; "0s" disables
//   "retry_policy": {"retry_on": "5xx,connect-failure", "num_retries": 2,
//                    "per_try_timeout": "1s", "retriable_status_codes": [503],
//                    "retry_back_off": {"base_interval": "25ms", "max_interval": "250ms"}}
//   "request_mirror_policies": [{"cluster": "shadow",
//                                "runtime_fraction": {"default_value": <FractionalPercent>}}]
// (durations as everywhere in Weft: "250ms", "2s", "1m", "1h" or a bare number of milliseconds).
//
// The router parses and validates these and keeps them on the Route. The timeout is handed to
// the upstream stage through the ABI (set_upstream_timeout: 504 with flag UT when it passes).
// Retries and mirrors are parsed only: the upstream stage cannot re-send or copy a request yet.
//
// Plain immutable values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "filters/router/fractional_percent.h"

namespace YAML {
class Node;
}

namespace weft::router {

struct RetryPolicy {
  // retry_on conditions, one bit each (Envoy's names in the comments).
  enum On : uint32_t {
    k5xx = 1u << 0,                     // 5xx
    kGatewayError = 1u << 1,            // gateway-error (502, 503, 504)
    kReset = 1u << 2,                   // reset
    kResetBeforeRequest = 1u << 3,      // reset-before-request
    kConnectFailure = 1u << 4,          // connect-failure
    kRetriable4xx = 1u << 5,            // retriable-4xx (409)
    kRefusedStream = 1u << 6,           // refused-stream
    kRetriableStatusCodes = 1u << 7,    // retriable-status-codes
    kGrpcCancelled = 1u << 8,           // cancelled
    kGrpcDeadlineExceeded = 1u << 9,    // deadline-exceeded
    kGrpcInternal = 1u << 10,           // internal
    kGrpcResourceExhausted = 1u << 11,  // resource-exhausted
    kGrpcUnavailable = 1u << 12,        // unavailable
  };
  struct BackOff {
    uint32_t base_interval_ms = 25;
    uint32_t max_interval_ms = 250;  // default: 10 × base_interval
  };

  uint32_t retry_on = 0;  // a set of On bits
  uint32_t num_retries = 1;
  std::optional<uint32_t> per_try_timeout_ms;
  std::vector<uint32_t> retriable_status_codes;
  std::optional<BackOff> back_off;
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
