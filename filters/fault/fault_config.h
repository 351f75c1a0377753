// FaultConfig: the fault filter's config, in the names of Envoy's HTTP fault filter
// (extensions.filters.http.fault.v3.HTTPFault):
//
//   {"delay": {"fixed_delay": "2s",                     (or a bare number of milliseconds)
//              "percentage": {"numerator": 10, "denominator": "HUNDRED"}},
//    "abort": {"http_status": 503,                      (200..599) or
//              "grpc_status": 14,                       (0..16)
//              "percentage": {...}},
//    "headers": [HeaderMatcher...],                     only requests matching all of them
//    "max_active_faults": 100}                          faults in flight at once, whole process
//
// At least one of delay and abort is required, and each needs its percentage (Envoy and Istio
// read a missing one as 0%, which would make the fault a silent no-op). Envoy's header-controlled
// faults (header_delay, header_abort), upstream_cluster, downstream_nodes and
// response_rate_limit are not supported and are rejected as unknown fields.
//
// Parsed on the main thread; immutable afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "filters/router/fractional_percent.h"
#include "filters/router/header_matcher.h"

namespace weft::fault {

struct FaultDelay {
  uint32_t fixed_delay_ms = 0;
  router::FractionalPercent percentage;
};

struct FaultAbort {
  // Exactly one is set.
  std::optional<uint32_t> http_status;
  std::optional<uint32_t> grpc_status;
  router::FractionalPercent percentage;
};

struct FaultConfig {
  std::optional<FaultDelay> delay;
  std::optional<FaultAbort> abort;
  std::vector<router::HeaderMatcher> headers;
  std::optional<uint32_t> max_active_faults;

  // Parses the filter's JSON config. Errors read "fault: abort.http_status: must be ...".
  static Result<FaultConfig> parse(std::string_view json);
};

}  // namespace weft::fault
