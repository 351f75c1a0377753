// LuaWorker: one worker's Lua state for one config, from worker_start to worker_stop (on that
// worker's thread), and the worker's proxy.timer callbacks (LuaTimers). New streams get the
// current state; one retired after running out of memory (LuaVm::recoverMemory) is replaced by a
// fresh one, while the streams that began on it keep it alive until they end; its pending timer
// callbacks run at once, premature.
#pragma once

#include "plugins/lua/lua_timers.h"
#include "plugins/lua/lua_vm.h"

namespace weft::lua {

class LuaWorker {
 public:
  // Builds the state at once, so a broken worker shows in the log at start, not at first request
  // (its top level may already start timers). `worker` is the host's handle for this worker.
  LuaWorker(const LuaConfig& config, WorkerFacts facts, weft_worker_host* worker);

  // The state new streams use; nullptr if it cannot be built (logged each time).
  LuaVmPtr vm();
  // on_worker_timer.
  void onTimer(int64_t token) { timers_.fire(token); }

 private:
  const LuaConfig& config_;
  WorkerFacts facts_;
  LuaVmPtr vm_;
  LuaTimers timers_;  // last: destroyed first, running pending callbacks while the rest lives
};

}  // namespace weft::lua
