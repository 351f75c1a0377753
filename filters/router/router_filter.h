// The router: Weft's built-in filter that decides where a request goes. It is written against
// the public SDK (weft/filter.hpp), exactly like a third-party filter, and is always last in a
// chain.
//
// Config (JSON): {"route_config": <one route_configs entry, see route_table.h>,
//                 "node_labels": {"app": "productpage", ...}}
// node_labels (optional; absent: none) are the labels of the workload this proxy serves, from the
// bootstrap's `node:`; routes with match.source_labels are weighed against them once, at config
// time (route_match.h).
//
// on_request_headers looks up :authority (or Host), :path and whatever the route matches read
// (headers, query, the listener's port) in the route table, then:
//   - no match: 404 "no route\n", details "route_not_found" (Envoy's NR flag);
//   - a CORS preflight from an origin the route's (else its virtual host's) policy allows: 200
//     with the access-control-* headers, details "cors_preflight";
//   - redirect / direct_response: answered by the proxy (details "direct_response"), with the
//     response header mutations (route, virtual host, route config) and CORS headers applied;
//   - cluster / weighted_clusters: sets the stream's route name and upstream cluster (a split
//     picks from the worker's random numbers), applies the request header mutations (route, then
//     virtual host, then route config), host_rewrite_literal and the path rewrite (keeping the
//     original :path in x-envoy-original-path), and continues; the core's upstream stage forwards
//     the request once the chain has run. on_response_headers then applies the response header
//     mutations and, for an allowed cross-origin request, the CORS response headers.
// A forwarded request also hands the host its route's timeout, retry_policy and each
// request_mirror_policies entry whose runtime_fraction it rolls (worker random numbers); the
// host's upstream stage does the timing, re-sending and copying (upstream_policy.h). A host too
// old for retries or mirrors (ABI < 1.3) forwards without them (logged once, at debug).
// Counters: router.routed (a route matched), router.no_route.
//
// routeFor lets the host learn, before the router runs, which route a request will take (for
// filters earlier in the chain that read the route's metadata, route_metadata_get). It matches
// exactly as on_request_headers does, on the request as it is at the time of the call.
#pragma once

#include "weft/filter_abi.h"

// The built-in's entry function, registered with the module registry as "router".
extern "C" const weft_filter_module* weft_router_module_init(const weft_host_api* host);

namespace weft::router {

struct Route;

// The route the router would pick for `stream`'s request now, read through `host`'s functions,
// or nullptr when none matches. `module` and `config` are a chain entry's module table and
// module config: for any module but the router, nullptr. The Route belongs to `config` and lives
// as long as it. Call it on the stream's worker, while its request headers exist.
const Route* routeFor(const weft_filter_module& module, const void* config,
                      const weft_host_api* host, weft_stream_host* stream);

}  // namespace weft::router
