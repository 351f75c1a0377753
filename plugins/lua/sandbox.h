// The standard library a filter script gets: what is safe to run inside a proxy worker (no
// files, no processes, no loading of bytecode or C modules, nothing that can unhook the
// instruction budget or reach raw memory). See lua_vm.h for the list.
#pragma once

#include <lua.hpp>

namespace weft::lua {

// Opens the allowed libraries in `L`'s globals, removes what is not allowed, and replaces
// pairs() with one that honours a __pairs metamethod (LuaJIT without 5.2 compatibility ignores
// it). Call once, on a fresh state.
void openSandbox(lua_State* L);

// Sets `__metatable` on the metatable at the top of the stack, so scripts can neither read nor
// change it (getmetatable() answers "locked").
void lockMetatable(lua_State* L);

}  // namespace weft::lua
