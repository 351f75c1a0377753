// What the Lua bindings share: the userdata every per-stream object starts with, the check that
// its stream is the one being handled now, and how a C function finds its LuaVm (upvalue 1 of
// every binding). Internal to plugins/lua.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <lua.hpp>
#include <string_view>

#include "plugins/lua/lua_stream.h"
#include "plugins/lua/lua_vm.h"

namespace weft::lua {

// Names a stream without keeping a pointer that could dangle: compared against vm.current().
struct StreamRef {
  uintptr_t address = 0;
  uint64_t serial = 0;
};

inline StreamRef refOf(const LuaStream& stream) {
  return StreamRef{reinterpret_cast<uintptr_t>(&stream), stream.serial()};
}

// The LuaVm of a binding (its upvalue 1).
inline LuaVm& vmOf(lua_State* L) {
  return *static_cast<LuaVm*>(lua_touserdata(L, lua_upvalueindex(1)));
}

// The stream `ref` names, if its hook runs now; else raises a Lua error.
LuaStream& streamOf(lua_State* L, const StreamRef& ref);

// A new userdata of type T (trivially copyable) with metatable `meta`, pushed.
template <typename T>
T* newObject(lua_State* L, const char* meta, const T& value) {
  void* memory = lua_newuserdata(L, sizeof(T));
  T* object = static_cast<T*>(memory);
  *object = value;
  luaL_getmetatable(L, meta);
  lua_setmetatable(L, -2);
  return object;
}

// Creates metatable `meta` in the registry: __index is a table of `methods`, extra metamethods
// (e.g. __pairs) are set from `metamethods`, and it is locked. Each function gets the VM as
// upvalue 1.
void defineClass(LuaVm& vm, const char* meta, const luaL_Reg* methods,
                 const luaL_Reg* metamethods = nullptr);

// Raises "<what> is not allowed in <phase>" unless the VM runs one of `allowed`.
void requirePhase(lua_State* L, const char* what, std::initializer_list<Phase> allowed);

// Writes a script's log line ("lua: <script>: <message>") at `level`.
void logScript(const LuaVm& vm, weft_log_level level, std::string_view message);

}  // namespace weft::lua
