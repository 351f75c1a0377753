// LuaVm: see lua_vm.h.
#include "plugins/lua/lua_vm.h"

#include <luajit.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "plugins/lua/handle_api.h"
#include "plugins/lua/lua_config.h"
#include "plugins/lua/proxy_api.h"
#include "plugins/lua/sandbox.h"

namespace weft::lua {
namespace {

struct EntryName {
  const char* name;
  const char* envoy_name;  // Envoy's spelling, accepted when `name` is not defined
};
constexpr EntryName kEntries[3] = {
    {"on_request", "envoy_on_request"},
    {"on_response", "envoy_on_response"},
    {"on_log", nullptr},
};

std::string messageOf(lua_State* L, int index) {
  if (const char* text = lua_tostring(L, index)) return text;
  return std::string("(error object is a ") + luaL_typename(L, index) + " value)";
}

}  // namespace

LuaVm::LuaVm(const LuaConfig& config, std::optional<WorkerFacts> worker)
    : config_(config), worker_(worker) {
  guards_.vm = this;
  guards_.limit = config.options().memory_limit_bytes;
  guards_.budget = static_cast<int>(config.options().instruction_budget);
}

LuaVm::~LuaVm() {
  if (L_ != nullptr) lua_close(L_);
}

LuaVm& LuaVm::of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<Guards*>(ud)->vm;
}

Result<std::shared_ptr<LuaVm>> LuaVm::create(const LuaConfig& config,
                                             std::optional<WorkerFacts> worker) {
  std::shared_ptr<LuaVm> vm(new LuaVm(config, worker));
  Status built = vm->build();
  if (!built) return built;
  return vm;
}

Status LuaVm::build() {
  L_ = lua_newstate(&LuaVm::allocate, &guards_);
  if (L_ == nullptr) {
    return Status::error(
        "cannot create a Lua state with a custom allocator (LuaJIT built "
        "without 64-bit GC refuses one)");
  }
  lua_atpanic(L_, &LuaVm::panic);
  luaJIT_setmode(L_, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  openSandbox(L_);
  installHandleApi(*this);
  installProxyApi(*this);

  const LuaOptions& options = config_.options();
  if (luaL_loadbufferx(L_, options.source.data(), options.source.size(), options.chunk_name.c_str(),
                       "t") != 0) {
    std::string message = messageOf(L_, -1);
    lua_pop(L_, 1);
    return Status::error(message);
  }
  lua_State* top_level = lua_newthread(L_);
  lua_insert(L_, -2);
  lua_xmove(L_, top_level, 1);  // the compiled chunk, as the coroutine's function
  RunOutcome ran = resume(top_level, 0);
  lua_pop(L_, 1);  // the thread
  if (ran.status == RunStatus::kYielded) {
    return Status::error("the script's top level must not yield");
  }
  if (ran.status != RunStatus::kFinished) return Status::error(ran.message);
  return findEntries();
}

Status LuaVm::findEntries() {
  bool any = false;
  for (int i = 0; i < 3; ++i) {
    const char* found = kEntries[i].name;
    lua_getglobal(L_, found);
    if (lua_isnil(L_, -1) && kEntries[i].envoy_name != nullptr) {
      lua_pop(L_, 1);
      found = kEntries[i].envoy_name;
      lua_getglobal(L_, found);
    }
    if (lua_isnil(L_, -1)) {
      lua_pop(L_, 1);
      continue;
    }
    if (!lua_isfunction(L_, -1)) {
      lua_pop(L_, 1);
      return Status::error(std::string(found) + " must be a function");
    }
    entries_[i] = luaL_ref(L_, LUA_REGISTRYINDEX);
    any = true;
  }
  if (!any) {
    return Status::error(
        "the script defines no entry point (on_request, on_response, on_log, "
        "envoy_on_request or envoy_on_response)");
  }
  return Status::ok();
}

LuaVm::Coroutine LuaVm::coroutine() {
  Coroutine co;
  if (!idle_.empty()) {
    co = idle_.back();
    idle_.pop_back();
  } else {
    co.thread = lua_newthread(L_);
    co.ref = luaL_ref(L_, LUA_REGISTRYINDEX);
  }
  return co;
}

LuaVm::Coroutine LuaVm::start(Entry entry) {
  Coroutine co = coroutine();
  lua_rawgeti(co.thread, LUA_REGISTRYINDEX, entries_[static_cast<int>(entry)]);
  return co;
}

void LuaVm::release(Coroutine& coroutine) {
  if (!coroutine) return;
  // A coroutine that returned normally is as good as new (Lua 5.1 lets a finished thread run a
  // new function); one that is suspended or died in an error is dropped.
  const bool reusable = lua_status(coroutine.thread) == 0 && idle_.size() < kIdleCoroutines;
  if (reusable) {
    lua_settop(coroutine.thread, 0);
    idle_.push_back(coroutine);
  } else {
    luaL_unref(L_, LUA_REGISTRYINDEX, coroutine.ref);
  }
  coroutine = Coroutine();
}

LuaVm::RunOutcome LuaVm::resume(lua_State* thread, int nargs) {
  guards_.enforce = true;
  guards_.refused = false;
  guards_.budget_hit = false;
  lua_sethook(thread, &LuaVm::budgetHook, LUA_MASKCOUNT, guards_.budget);
  const int rc = lua_resume(thread, nargs);
  guards_.enforce = false;
  // LuaJIT does not collect when an allocation is refused (Lua 5.2+ does): garbage counts against
  // the limit until the next cycle. A state close to its limit is collected between runs, so
  // garbage alone does not fail the next one.
  if (guards_.used > guards_.limit / 4 * 3) lua_gc(L_, LUA_GCCOLLECT, 0);

  RunOutcome out;
  if (rc == 0) return out;
  if (rc == LUA_YIELD) {
    out.status = RunStatus::kYielded;
    return out;
  }
  out.message = messageOf(thread, -1);
  if (guards_.budget_hit) {
    out.status = RunStatus::kBudget;
  } else if (rc == LUA_ERRMEM || guards_.refused) {
    out.status = RunStatus::kMemory;
  } else {
    out.status = RunStatus::kError;
  }
  luaL_traceback(L_, thread, nullptr, 0);
  out.traceback = messageOf(L_, -1);
  lua_pop(L_, 1);
  return out;
}

void LuaVm::reportFailure(const RunOutcome& outcome, Phase phase) {
  Failure failure = Failure::kError;
  if (outcome.status == RunStatus::kBudget) failure = Failure::kBudget;
  if (outcome.status == RunStatus::kMemory) failure = Failure::kMemory;
  config_.count(failure);
  const std::string& script = config_.options().script_name;
  std::string line = "lua: " + script + ": " + phaseName(phase) + " failed: " + outcome.message;
  if (!outcome.traceback.empty()) line += "\n" + outcome.traceback;
  config_.host().error(line);
  if (failure == Failure::kMemory && !recoverMemory()) {
    config_.host().warn("lua: " + script +
                        ": the Lua state is still nearly full after a collection; new requests "
                        "get a fresh state");
  }
}

bool LuaVm::recoverMemory() {
  lua_gc(L_, LUA_GCCOLLECT, 0);
  if (guards_.used > guards_.limit / 4 * 3) retired_ = true;
  return !retired_;
}

void* LuaVm::allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* guards = static_cast<Guards*>(ud);
  const size_t old_bytes = ptr != nullptr ? old_size : 0;
  if (new_size == 0) {
    std::free(ptr);
    guards->used -= old_bytes;
    return nullptr;
  }
  if (new_size > old_bytes && guards->enforce &&
      guards->used - old_bytes + new_size > guards->limit) {
    guards->refused = true;
    return nullptr;
  }
  void* grown = std::realloc(ptr, new_size);
  if (grown == nullptr) {
    guards->refused = true;
    return nullptr;
  }
  guards->used = guards->used - old_bytes + new_size;
  return grown;
}

void LuaVm::budgetHook(lua_State* L, lua_Debug* /*debug*/) {
  Guards& guards = LuaVm::of(L).guards_;
  guards.budget_hit = true;
  // From now on every instruction fails, so a pcall in the script cannot swallow the stop.
  lua_sethook(L, &LuaVm::budgetHook, LUA_MASKCOUNT, 1);
  luaL_error(L, "instruction budget of %d exceeded", guards.budget);
}

int LuaVm::panic(lua_State* L) {
  // An error outside any protected run: a bug in the filter, or the process itself is out of
  // memory. There is no safe way back into the state.
  LuaVm& vm = LuaVm::of(L);
  vm.config_.host().error("lua: unprotected error in the Lua state (" + messageOf(L, -1) +
                          "); aborting");
  std::abort();
}

}  // namespace weft::lua
