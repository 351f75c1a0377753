// The router: Weft's built-in filter that picks where a request goes. It is written against the
// public SDK (weft/filter.hpp), exactly like a third-party filter, and is always last in a chain.
//
// Config (JSON): {"route_config": <one route_configs entry, see route_table.h>}
//
// on_request_headers looks up :authority (or Host) and :path in the route table. A match sets the
// stream's route name and upstream cluster and continues; the core's upstream stage forwards the
// request once the chain has run. No match answers 404 "no route\n" with details
// "route_not_found" (Envoy's NR flag). Counters: router.routed, router.no_route.
#pragma once

#include "weft/filter_abi.h"

// The built-in's entry function, registered with the module registry as "router".
extern "C" const weft_filter_module* weft_router_module_init(const weft_host_api* host);
