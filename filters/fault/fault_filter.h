// The fault filter: injects delays and aborts into requests, like Envoy's HTTP fault filter and
// Istio's VirtualService `fault`. Written against the public SDK (weft/filter.hpp) like any
// third-party filter; register it before the router.
//
// Config (JSON): see fault_config.h.
//
// on_request_headers, for a request matching `headers` (and while fewer than max_active_faults
// are in flight, else it counts fault.faults_overflow and lets the request be), rolls the delay
// and the abort percentages independently on the worker's random numbers:
//   - delay: holds the request (a timer on the stream's worker), then continues it — or aborts it
//     if the abort roll also came up. Counts fault.delays_injected; response flag "DI".
//   - abort: answers from the proxy, details "fault_filter_abort"; counts fault.aborts_injected;
//     response flag "FI". An http_status abort answers that status with body
//     "fault filter abort". A grpc_status abort, and any abort of a gRPC request (content-type
//     application/grpc*), answers the gRPC way: HTTP 200, content-type application/grpc,
//     grpc-status (the configured one, or the HTTP status mapped by core/http/grpc.h) and
//     grpc-message, no body (trailers-only).
// The gauge fault.active_faults counts streams with a fault injected, until they end.
//
// Response flags (ABI 1.2 stream_add_response_flag): "DI" for an injected delay, "FI" for an
// injected abort, in %RESPONSE_FLAGS% and the stats like Envoy's.
#pragma once

#include "weft/filter_abi.h"

// The built-in's entry function, registered with the module registry as "fault".
extern "C" const weft_filter_module* weft_fault_module_init(const weft_host_api* host);
