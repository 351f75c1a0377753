// proxy.* and print(): see proxy_api.h.
#include "plugins/lua/proxy_api.h"

#include <cmath>

#include "plugins/lua/lua_config.h"
#include "plugins/lua/lua_timers.h"
#include "plugins/lua/objects.h"
#include "plugins/lua/proxy_var.h"
#include "plugins/lua/sandbox.h"
#include "plugins/lua/shared_dict_api.h"

namespace weft::lua {
namespace {

// OpenResty's log levels (ngx.STDERR .. ngx.DEBUG) and where they land in the proxy's log.
struct LevelName {
  const char* name;
  int value;
};
constexpr LevelName kLevels[] = {
    {"STDERR", 0}, {"EMERG", 1},  {"ALERT", 2}, {"CRIT", 3},  {"ERR", 4},
    {"WARN", 5},   {"NOTICE", 6}, {"INFO", 7},  {"DEBUG", 8},
};

weft_log_level hostLevel(lua_Integer level) {
  if (level <= 4) return WEFT_LOG_ERROR;
  if (level == 5) return WEFT_LOG_WARN;
  if (level <= 7) return WEFT_LOG_INFO;
  return WEFT_LOG_DEBUG;
}

// Logs tostring() of the arguments from `first` on, joined by `separator`. Upvalue 2 is the
// original tostring.
int logArguments(lua_State* L, int first, weft_log_level level, const char* separator) {
  const int last = lua_gettop(L);
  luaL_Buffer line;
  luaL_buffinit(L, &line);
  for (int i = first; i <= last; ++i) {
    if (i > first) luaL_addstring(&line, separator);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushvalue(L, i);
    lua_call(L, 1, 1);
    if (!lua_isstring(L, -1)) return luaL_error(L, "'tostring' must return a string");
    luaL_addvalue(&line);
  }
  luaL_pushresult(&line);
  logScript(vmOf(L), level, viewAt(L, -1));
  return 0;
}

int proxyLog(lua_State* L) {
  const lua_Integer level = luaL_checkinteger(L, 1);
  return logArguments(L, 2, hostLevel(level), "");
}

int print(lua_State* L) { return logArguments(L, 1, WEFT_LOG_INFO, "\t"); }

Dir dirOfPhase(Phase phase) { return phase == Phase::kResponse ? Dir::kResponse : Dir::kRequest; }

// The worker's timers, or nullptr in the config check's state (which has no worker).
LuaTimers* timersOf(LuaVm& vm) { return vm.worker() ? vm.worker()->timers : nullptr; }

int proxySleep(lua_State* L) {
  requirePhase(L, "proxy.sleep()", {Phase::kRequest, Phase::kResponse, Phase::kTimer});
  const lua_Number seconds = luaL_checknumber(L, 1);
  luaL_argcheck(L, seconds >= 0 && seconds < 86400, 1, "seconds must be in [0, 86400)");
  LuaVm& vm = vmOf(L);
  const auto delay_ms = static_cast<uint64_t>(std::ceil(seconds * 1000));
  if (vm.phase() == Phase::kTimer) return finish(L, timersOf(vm)->sleep(L, delay_ms));
  return finish(L, vm.current()->sleep(L, dirOfPhase(vm.phase()), delay_ms));
}

int startTimer(lua_State* L, bool every) {
  const lua_Number delay = luaL_checknumber(L, 1);
  constexpr lua_Number kYear = 365.0 * 86400;
  luaL_argcheck(L, (every ? delay > 0 : delay >= 0) && delay <= kYear, 1,
                every ? "interval must be in (0, 31536000] seconds"
                      : "delay must be in [0, 31536000] seconds");
  luaL_checktype(L, 2, LUA_TFUNCTION);
  LuaVm& vm = vmOf(L);
  LuaTimers* timers = timersOf(vm);
  if (timers == nullptr) {
    lua_pushnil(L);
    lua_pushliteral(L, "timers run on workers; the config check starts none");
    return 2;
  }
  return timers->schedule(L, vm.shared_from_this(), delay, every);
}

int proxyTimerAt(lua_State* L) { return startTimer(L, false); }
int proxyTimerEvery(lua_State* L) { return startTimer(L, true); }

int proxyTimerPendingCount(lua_State* L) {
  LuaTimers* timers = timersOf(vmOf(L));
  lua_pushinteger(L, timers ? static_cast<lua_Integer>(timers->pending()) : 0);
  return 1;
}

int proxyTimerRunningCount(lua_State* L) {
  LuaTimers* timers = timersOf(vmOf(L));
  lua_pushinteger(L, timers ? static_cast<lua_Integer>(timers->running()) : 0);
  return 1;
}

int proxyWorkerId(lua_State* L) {
  const std::optional<WorkerFacts>& worker = vmOf(L).worker();
  if (worker) {
    lua_pushinteger(L, static_cast<lua_Integer>(worker->index));
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int proxyWorkerCount(lua_State* L) {
  const std::optional<WorkerFacts>& worker = vmOf(L).worker();
  if (!worker) {
    lua_pushnil(L);
  } else if (worker->count) {
    lua_pushinteger(L, static_cast<lua_Integer>(*worker->count));
  } else {
    return luaL_error(L,
                      "proxy.worker.count() needs ABI 1.2 (this host does not tell a filter "
                      "how many workers there are)");
  }
  return 1;
}

constexpr std::initializer_list<Phase> kStreamPhases = {Phase::kRequest, Phase::kResponse,
                                                        Phase::kLog};

// proxy's __index: proxy.ctx (the only key not stored in the table itself).
int proxyIndex(lua_State* L) {
  if (viewAt(L, 2) != "ctx") return 0;
  requirePhase(L, "proxy.ctx", kStreamPhases);
  vmOf(L).current()->pushCtx(L);
  return 1;
}

// proxy's __newindex: `proxy.ctx = t` replaces this request's table; other keys are stored.
int proxyNewIndex(lua_State* L) {
  if (viewAt(L, 2) != "ctx") {
    lua_rawset(L, 1);
    return 0;
  }
  requirePhase(L, "proxy.ctx", kStreamPhases);
  luaL_checktype(L, 3, LUA_TTABLE);
  vmOf(L).current()->setCtx(L, 3);
  return 0;
}

int varIndex(lua_State* L) {
  requirePhase(L, "proxy.var", kStreamPhases);
  pushVar(L, *vmOf(L).current(), checkView(L, 2));
  return 1;
}

int varNewIndex(lua_State* L) { return luaL_error(L, "proxy.var is read-only"); }

// Sets t[name] (t at the top of the stack) to `fn` closed over the VM.
void setFunction(lua_State* L, LuaVm& vm, const char* name, lua_CFunction fn) {
  lua_pushlightuserdata(L, &vm);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, -2, name);
}

// Gives the table at the top of the stack a locked metatable of `metamethods`.
void attachMetatable(lua_State* L, LuaVm& vm, const luaL_Reg* metamethods) {
  lua_newtable(L);
  lua_pushlightuserdata(L, &vm);
  luaL_setfuncs(L, metamethods, 1);
  lockMetatable(L);
  lua_setmetatable(L, -2);
}

constexpr luaL_Reg kProxyMeta[] = {
    {"__index", proxyIndex}, {"__newindex", proxyNewIndex}, {nullptr, nullptr}};
constexpr luaL_Reg kVarMeta[] = {
    {"__index", varIndex}, {"__newindex", varNewIndex}, {nullptr, nullptr}};

}  // namespace

void installProxyApi(LuaVm& vm) {
  lua_State* L = vm.state();
  lua_newtable(L);  // proxy

  pushSharedDicts(vm);
  lua_setfield(L, -2, "shared");
  lua_newtable(L);
  attachMetatable(L, vm, kVarMeta);
  lua_setfield(L, -2, "var");

  setFunction(L, vm, "sleep", proxySleep);
  lua_newtable(L);
  setFunction(L, vm, "at", proxyTimerAt);
  setFunction(L, vm, "every", proxyTimerEvery);
  setFunction(L, vm, "pending_count", proxyTimerPendingCount);
  setFunction(L, vm, "running_count", proxyTimerRunningCount);
  lua_setfield(L, -2, "timer");
  lua_newtable(L);
  setFunction(L, vm, "id", proxyWorkerId);
  setFunction(L, vm, "count", proxyWorkerCount);
  lua_setfield(L, -2, "worker");

  lua_getglobal(L, "tostring");
  const int tostring = lua_gettop(L);
  lua_pushlightuserdata(L, &vm);
  lua_pushvalue(L, tostring);
  lua_pushcclosure(L, proxyLog, 2);
  lua_setfield(L, -3, "log");
  lua_pushlightuserdata(L, &vm);
  lua_pushvalue(L, tostring);
  lua_pushcclosure(L, print, 2);
  lua_setglobal(L, "print");
  lua_pop(L, 1);

  for (const LevelName& level : kLevels) {
    lua_pushinteger(L, level.value);
    lua_setfield(L, -2, level.name);
  }
  attachMetatable(L, vm, kProxyMeta);  // last: its __newindex would see the fields above
  lua_setglobal(L, "proxy");
}

}  // namespace weft::lua
