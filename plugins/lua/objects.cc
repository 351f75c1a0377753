// Helpers shared by the Lua bindings: see objects.h.
#include "plugins/lua/objects.h"

#include <string>

#include "plugins/lua/lua_config.h"
#include "plugins/lua/sandbox.h"

namespace weft::lua {

LuaStream& streamOf(lua_State* L, const StreamRef& ref) {
  LuaStream* current = vmOf(L).current();
  if (current == nullptr || reinterpret_cast<uintptr_t>(current) != ref.address ||
      current->serial() != ref.serial) {
    luaL_error(L,
               "this object belongs to a request that is not being handled now (keep values "
               "across requests, not handles or objects from them)");
  }
  return *current;
}

void defineClass(LuaVm& vm, const char* meta, const luaL_Reg* methods,
                 const luaL_Reg* metamethods) {
  lua_State* L = vm.state();
  luaL_newmetatable(L, meta);
  lua_newtable(L);
  lua_pushlightuserdata(L, &vm);
  luaL_setfuncs(L, methods, 1);
  lua_setfield(L, -2, "__index");
  if (metamethods != nullptr) {
    lua_pushlightuserdata(L, &vm);
    luaL_setfuncs(L, metamethods, 1);
  }
  lockMetatable(L);
  lua_pop(L, 1);
}

void requirePhase(lua_State* L, const char* what, std::initializer_list<Phase> allowed) {
  const Phase phase = vmOf(L).phase();
  for (Phase ok : allowed) {
    if (phase == ok) return;
  }
  luaL_error(L, "%s is not allowed in %s", what, phaseName(phase));
}

void logScript(const LuaVm& vm, weft_log_level level, std::string_view message) {
  std::string line = "lua: " + vm.config().options().script_name + ": ";
  line.append(message);
  vm.config().host().log(level, line);
}

}  // namespace weft::lua
