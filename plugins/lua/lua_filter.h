// The Lua filter: scripts in LuaJIT 2.1 run as a filter on Weft's public C ABI
// (weft/filter_abi.h), like any third-party module. Registered with the proxy as the built-in
// "lua" (core/server/server.cc):
//
//   filters:
//     - name: rewrite
//       builtin: lua
//       fail_open: false
//       config: { source: "function on_request(h) h:headers():add('x-seen', 'yes') end" }
//
// Config fields: lua_config.h. Scripts and their API: samples/filters/lua/README.md. How it is
// built: plugins/README.md ("Lua").
//
//   lua_config.h   the config block, the script check, counters, shared dictionaries
//   lua_vm.h       one LuaJIT state: sandbox, memory limit, instruction budget, runs
//   lua_worker.h   a worker's state for one config
//   lua_stream.h   one stream: coroutines per direction and what they wait for
//   handle_api.h, stream_info_api.h   the handle (Envoy's API)
//   proxy_api.h, proxy_var.h, shared_dict_api.h   proxy.* (OpenResty's names)
//   shared_dict.h  the cross-worker dictionaries
//   http_call.h    httpCall's seam to the host (ABI 1.2)
#pragma once

#include "weft/filter_abi.h"

// The built-in's entry function, registered with the module registry as "lua".
extern "C" const weft_filter_module* weft_lua_module_init(const weft_host_api* host);
