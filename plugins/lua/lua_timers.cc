// LuaTimers: see lua_timers.h.
#include "plugins/lua/lua_timers.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "plugins/lua/lua_config.h"
#include "plugins/lua/lua_util.h"

namespace weft::lua {
namespace {

int pushFailure(lua_State* L, const char* why) {
  lua_pushnil(L);
  lua_pushstring(L, why);
  return 2;
}

}  // namespace

LuaTimers::LuaTimers(const LuaConfig& config, weft_worker_host* worker)
    : config_(config), worker_(worker) {}

LuaTimers::~LuaTimers() {
  stopping_ = true;
  wakeNow([](const Started&) { return true; });
  std::map<int64_t, Pending> left = std::move(pending_);
  pending_.clear();
  for (const auto& [token, timer] : left) {
    run(timer, /*premature=*/true);
    unref(timer);
  }
}

int LuaTimers::schedule(lua_State* L, const LuaVmPtr& vm, double delay_seconds, bool every) {
  if (stopping_) return pushFailure(L, "process exiting");
  if (vm->retired()) return pushFailure(L, "this Lua state is retired (it ran out of memory)");
  if (pending_.size() >= config_.options().max_pending_timers) {
    return pushFailure(L, "too many pending timers");
  }
  const weft_host_api* api = config_.api();
  if (!WEFT_HOST_HAS(api, worker_timer_start) || api->worker_timer_start == nullptr ||
      worker_ == nullptr) {
    return pushFailure(L, "this host has no worker timers (they need ABI 1.2)");
  }
  // {callback, arg1, ..., n = count} from stack slots 2..top (slot 1 is the delay).
  const int top = lua_gettop(L);
  lua_createtable(L, top - 1, 1);
  for (int i = 2; i <= top; ++i) {
    lua_pushvalue(L, i);
    lua_rawseti(L, -2, i - 1);
  }
  lua_pushinteger(L, top - 1);
  lua_setfield(L, -2, "n");
  const int ref = luaL_ref(L, LUA_REGISTRYINDEX);

  const auto delay_ms = static_cast<uint64_t>(std::ceil(delay_seconds * 1000));
  const int64_t token = api->worker_timer_start(config_.configHost(), worker_, delay_ms);
  if (token <= 0) {
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return pushFailure(L, "the host refused a timer");
  }
  pending_.emplace(token, Pending{vm, ref, every ? delay_ms : 0});
  lua_pushboolean(L, 1);
  return 1;
}

int LuaTimers::sleep(lua_State* L, uint64_t delay_ms) {
  if (L != current_) {
    return pushError(L,
                     "proxy.sleep() must be called from the timer callback itself, not from a "
                     "coroutine it created");
  }
  if (hurried_) return 0;  // the worker stops: the callback runs on to its end
  sleep_ms_ = delay_ms;
  sleep_asked_ = true;
  return lua_yield(L, 0);
}

void LuaTimers::fire(int64_t token) {
  if (auto asleep = sleeping_.find(token); asleep != sleeping_.end()) {
    Started started = std::move(asleep->second);
    sleeping_.erase(asleep);
    resume(std::move(started), 0);
    return;
  }
  auto found = pending_.find(token);
  if (found == pending_.end()) return;
  Pending timer = std::move(found->second);
  pending_.erase(found);
  run(timer, /*premature=*/false);
  if (timer.interval_ms > 0 && !stopping_ && !timer.vm->retired()) {
    const weft_host_api* api = config_.api();
    const int64_t next = api->worker_timer_start(config_.configHost(), worker_, timer.interval_ms);
    if (next > 0) {
      pending_.emplace(next, std::move(timer));
      return;
    }
    config_.host().error("lua: " + config_.options().script_name +
                         ": the host refused to restart a proxy.timer.every() timer");
  }
  unref(timer);
}

void LuaTimers::abandon(const LuaVm& vm) {
  wakeNow([&vm](const Started& started) { return started.vm.get() == &vm; });
  std::vector<Pending> orphans;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.vm.get() != &vm) {
      ++it;
      continue;
    }
    config_.api()->worker_timer_cancel(config_.configHost(), worker_, it->first);
    orphans.push_back(std::move(it->second));
    it = pending_.erase(it);
  }
  for (const Pending& timer : orphans) {
    run(timer, /*premature=*/true);
    unref(timer);
  }
}

template <typename Select>
void LuaTimers::wakeNow(Select wake) {
  std::vector<Started> woken;
  for (auto it = sleeping_.begin(); it != sleeping_.end();) {
    if (!wake(it->second)) {
      ++it;
      continue;
    }
    config_.api()->worker_timer_cancel(config_.configHost(), worker_, it->first);
    woken.push_back(std::move(it->second));
    it = sleeping_.erase(it);
  }
  const bool was_hurried = hurried_;
  hurried_ = true;
  for (Started& started : woken) resume(std::move(started), 0);
  hurried_ = was_hurried;
}

void LuaTimers::run(const Pending& timer, bool premature) {
  LuaVm& vm = *timer.vm;
  LuaVm::Coroutine co = vm.coroutine();
  lua_State* T = co.thread;
  // Stack: callback, premature, arg1 .. arg(n-1).
  lua_rawgeti(T, LUA_REGISTRYINDEX, timer.ref);
  lua_getfield(T, 1, "n");
  const int count = static_cast<int>(lua_tointeger(T, -1));
  lua_pop(T, 1);
  lua_rawgeti(T, 1, 1);
  lua_pushboolean(T, premature ? 1 : 0);
  for (int i = 2; i <= count; ++i) lua_rawgeti(T, 1, i);
  lua_remove(T, 1);
  // Premature runs come from the worker stopping or the state retiring: no sleeping then.
  const bool was_hurried = hurried_;
  hurried_ = hurried_ || premature;
  resume(Started{timer.vm, co}, count);
  hurried_ = was_hurried;
}

void LuaTimers::resume(Started started, int nargs) {
  LuaVm& vm = *started.vm;
  LuaStream* const outer_stream = vm.current();
  const Phase outer_phase = vm.phase();
  lua_State* const outer_callback = current_;
  vm.setCurrent(nullptr, Phase::kTimer);
  current_ = started.co.thread;
  sleep_asked_ = false;
  LuaVm::RunOutcome outcome = vm.resume(started.co.thread, nargs);
  const bool asleep = outcome.status == LuaVm::RunStatus::kYielded && sleep_asked_;
  sleep_asked_ = false;
  current_ = outer_callback;
  vm.setCurrent(outer_stream, outer_phase);
  if (asleep) {
    const int64_t token =
        config_.api()->worker_timer_start(config_.configHost(), worker_, sleep_ms_);
    if (token > 0) {
      sleeping_.emplace(token, std::move(started));
      return;
    }
    outcome.status = LuaVm::RunStatus::kError;
    outcome.message = "proxy.sleep(): the host refused a timer";
  } else if (outcome.status == LuaVm::RunStatus::kYielded) {
    outcome.status = LuaVm::RunStatus::kError;
    outcome.message =
        "a timer callback yielded other than in proxy.sleep(): it has no request to wait on "
        "(httpCall is for on_request / on_response)";
  }
  vm.release(started.co);  // first, so a memory failure can collect the coroutine
  if (outcome.status != LuaVm::RunStatus::kFinished) vm.reportFailure(outcome, Phase::kTimer);
}

void LuaTimers::unref(const Pending& timer) {
  luaL_unref(timer.vm->state(), LUA_REGISTRYINDEX, timer.ref);
}

}  // namespace weft::lua
