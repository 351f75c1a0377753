// LuaTimers: one worker's pending proxy.timer.at / proxy.timer.every callbacks for one Lua config
// (OpenResty's ngx.timer.at / ngx.timer.every). Owned by the LuaWorker, used on its thread only.
//
// A callback and its arguments are kept in the registry of the state that scheduled them, and
// the host is asked for a worker timer (ABI 1.2 worker_timer_start). When it fires
// (on_worker_timer → fire) the callback runs as callback(premature, arg...) in a fresh coroutine
// of that state, in the "timer" phase: under the instruction budget and memory limit like any
// run, with no request (stream functions raise), and it may not yield (proxy.sleep and httpCall
// need a request). A failure is counted and logged like a hook's and changes nothing else; a
// periodic timer keeps running after one.
//
// Premature runs, as in OpenResty when a worker exits: callbacks still pending when the worker
// state stops (worker_stop, e.g. the config was replaced) or when their state is retired after
// running out of memory run at once with premature = true, and may not schedule new timers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <lua.hpp>
#include <map>

#include "plugins/lua/lua_vm.h"
#include "weft/filter_abi.h"

namespace weft::lua {

class LuaTimers {
 public:
  LuaTimers(const LuaConfig& config, weft_worker_host* worker);
  // Runs every pending callback with premature = true. The host has cancelled their timers.
  ~LuaTimers();
  LuaTimers(const LuaTimers&) = delete;
  LuaTimers& operator=(const LuaTimers&) = delete;

  // proxy.timer.at(delay, f, ...) / proxy.timer.every(interval, f, ...) for `vm`, whose
  // coroutine L holds the arguments at 1..top (already checked: a delay in seconds, a function).
  // Pushes true, or nil and why (too many pending, the worker is stopping, the state is
  // retired, the host refused); returns the number of results.
  int schedule(lua_State* L, const LuaVmPtr& vm, double delay_seconds, bool every);

  // The host's worker timer `token` fired.
  void fire(int64_t token);

  // `vm` was retired: its pending callbacks run now, premature, and their timers are cancelled.
  void abandon(const LuaVm& vm);

  size_t pending() const { return pending_.size(); }
  // 1 while a callback runs (they never yield, so never more), else 0.
  size_t running() const { return running_; }

 private:
  struct Pending {
    LuaVmPtr vm;               // keeps the state alive while its callback waits
    int ref = LUA_NOREF;       // registry table {callback, arg1, ..., n = count}
    uint64_t interval_ms = 0;  // every(): the period; 0 for at()
  };

  void run(const Pending& timer, bool premature);
  void unref(const Pending& timer);

  const LuaConfig& config_;
  weft_worker_host* worker_;
  std::map<int64_t, Pending> pending_;  // by host token: creation order
  size_t running_ = 0;
  bool stopping_ = false;
};

}  // namespace weft::lua
