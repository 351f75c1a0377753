// The handle API: the object each entry point receives (Envoy's names and meanings) and the
// objects it hands out — header maps, body buffers, stream info, dynamic metadata, route
// metadata, the connection and its TLS facts.
//
// Every such object is a userdata that names its stream by address and serial number. It works
// only while a hook of that stream runs (vm.current()); a handle also only in its own phase. An
// object kept past its request raises "... belongs to a request that is not being handled now"
// instead of touching freed memory. Body buffers are further limited to the hook that handed
// them out: the bytes they show are the host's, valid only then.
//
// Where each function may be called (others raise "<name>() is not allowed in <phase>"):
//   headers(), metadata(), streamInfo(), connection(), log*(), timestamp*(),
//   base64Escape()                                   on_request, on_response, on_log
//   body(), bodyChunks(), trailers(), respond(),
//   httpCall()                                       on_request, on_response
// In on_log, headers() is the request's header map.
#pragma once

#include <cstdint>
#include <lua.hpp>

#include "plugins/lua/lua_util.h"
#include "weft/filter_abi.h"

namespace weft::lua {

class LuaStream;
class LuaVm;

// Creates the metatables (once per state).
void installHandleApi(LuaVm& vm);

// Pushes a new handle for `stream` in `phase`.
void pushHandle(lua_State* L, const LuaStream& stream, Phase phase);
// Pushes a buffer over `dir`'s body as the running hook sees it (usable in this hook only).
void pushBodyBuffer(lua_State* L, const LuaStream& stream, Dir dir);
// Pushes a header map object for `map` of `stream`.
void pushHeaderMap(lua_State* L, const LuaStream& stream, weft_map map);

}  // namespace weft::lua
