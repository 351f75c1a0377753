// The scripts' standard library: see sandbox.h.
#include "plugins/lua/sandbox.h"

#include <initializer_list>

namespace weft::lua {
namespace {

struct Library {
  const char* name;
  lua_CFunction open;
};
constexpr Library kLibraries[] = {
    {"", luaopen_base},  // also opens coroutine
    {LUA_TABLIBNAME, luaopen_table},
    {LUA_STRLIBNAME, luaopen_string},
    {LUA_MATHLIBNAME, luaopen_math},
    {LUA_BITLIBNAME, luaopen_bit},
    {LUA_OSLIBNAME, luaopen_os},
    {LUA_DBLIBNAME, luaopen_debug},
};

// Globals removed after opening: file access, loading code (bytecode would bypass every check),
// and newproxy (userdata with a __gc written in Lua would run outside any guarded run).
constexpr const char* kRemovedGlobals[] = {"dofile", "loadfile", "load", "loadstring", "newproxy"};

// Replaces global table `name` by a table holding only `keep` of its fields.
void keepOnly(lua_State* L, const char* name, std::initializer_list<const char*> keep) {
  lua_getglobal(L, name);
  lua_createtable(L, 0, static_cast<int>(keep.size()));
  for (const char* field : keep) {
    lua_getfield(L, -2, field);
    lua_setfield(L, -2, field);
  }
  lua_setglobal(L, name);
  lua_pop(L, 1);
}

// pairs(t): t's __pairs metamethod if it has one, else next, t, nil. Upvalue 1: the original next.
int pairsWithMeta(lua_State* L) {
  if (luaL_getmetafield(L, 1, "__pairs")) {
    lua_pushvalue(L, 1);
    lua_call(L, 1, 3);
    return 3;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

}  // namespace

void openSandbox(lua_State* L) {
  for (const Library& library : kLibraries) {
    lua_pushcfunction(L, library.open);
    lua_pushstring(L, library.name);
    lua_call(L, 1, 0);
  }
  for (const char* name : kRemovedGlobals) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  keepOnly(L, LUA_OSLIBNAME, {"time", "clock", "date", "difftime"});
  keepOnly(L, LUA_DBLIBNAME, {"traceback"});
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);

  lua_getglobal(L, "next");
  lua_pushcclosure(L, pairsWithMeta, 1);
  lua_setglobal(L, "pairs");
}

void lockMetatable(lua_State* L) {
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
}

}  // namespace weft::lua
