// LuaTimers: one worker's pending proxy.timer.at / proxy.timer.every callbacks for one Lua config
// (OpenResty's ngx.timer.at / ngx.timer.every). Owned by the LuaWorker, used on its thread only.
//
// A callback and its arguments are kept in the registry of the state that scheduled them, and
// the host is asked for a worker timer (ABI 1.2 worker_timer_start). When it fires
// (on_worker_timer → fire) the callback runs as callback(premature, arg...) in a fresh coroutine
// of that state, in the "timer" phase: under the instruction budget and memory limit like any
// run (each stretch between sleeps is one run), with no request (stream functions raise). It may
// proxy.sleep, as in OpenResty: the coroutine waits for another worker timer meanwhile and counts
// as running. Nothing else may yield it (httpCall needs a request). A failure is counted and
// logged like a hook's and changes nothing else; a periodic timer keeps running after one, and
// is re-armed when its callback first finishes or sleeps.
//
// Premature runs, as in OpenResty when a worker exits: callbacks still pending when the worker
// state stops (worker_stop, e.g. the config was replaced) or when their state is retired after
// running out of memory run at once with premature = true, and may not schedule new timers.
// Callbacks asleep then are woken at once, and from then on proxy.sleep returns immediately, so
// they run to their end.
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

  // proxy.sleep() from the callback now running, whose coroutine is L: lua_yield's value (the
  // callback resumes when the delay has passed), 0 results at once while the worker stops, or
  // kRaise with a message.
  int sleep(lua_State* L, uint64_t delay_ms);

  // The host's worker timer `token` fired: a pending callback runs, or a sleeping one resumes.
  void fire(int64_t token);

  // `vm` was retired: its pending callbacks run now, premature, and their timers are cancelled.
  void abandon(const LuaVm& vm);

  size_t pending() const { return pending_.size(); }
  // Callbacks that started and have not finished: the one running now, and those asleep.
  size_t running() const { return (current_ != nullptr ? 1 : 0) + sleeping_.size(); }

 private:
  struct Pending {
    LuaVmPtr vm;               // keeps the state alive while its callback waits
    int ref = LUA_NOREF;       // registry table {callback, arg1, ..., n = count}
    uint64_t interval_ms = 0;  // every(): the period; 0 for at()
  };
  // A callback that started: its coroutine, kept while it sleeps.
  struct Started {
    LuaVmPtr vm;
    LuaVm::Coroutine co;
  };

  void run(const Pending& timer, bool premature);
  // Resumes `started` with `nargs` values on its stack; it finishes, fails, or falls asleep.
  void resume(Started started, int nargs);
  // Wakes the sleeping callbacks `wake` selects (their timers cancelled), with sleep hurried.
  template <typename Select>
  void wakeNow(Select wake);
  void unref(const Pending& timer);

  const LuaConfig& config_;
  weft_worker_host* worker_;
  std::map<int64_t, Pending> pending_;   // by host token: creation order
  std::map<int64_t, Started> sleeping_;  // by the host token that wakes them
  lua_State* current_ = nullptr;         // the coroutine of the callback running now
  uint64_t sleep_ms_ = 0;                // what the running callback's proxy.sleep asked
  bool sleep_asked_ = false;
  bool stopping_ = false;
  bool hurried_ = false;  // the worker stops or the state retires: proxy.sleep returns at once
};

}  // namespace weft::lua
