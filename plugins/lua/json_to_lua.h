// pushJson: JSON text the host hands the Lua filter (route metadata blocks) as Lua values, the way
// Envoy's Lua filter presents a protobuf Struct: objects become tables, arrays sequences from 1,
// numbers Lua numbers, true/false booleans, strings strings; a null is nil (an object member that
// is null is left out).
#pragma once

#include <lua.hpp>
#include <string_view>

namespace weft::lua {

// Pushes the value `json` holds and returns true; false (nothing pushed) when it does not parse
// or nests deeper than Lua's C stack allows.
bool pushJson(lua_State* L, std::string_view json);

}  // namespace weft::lua
