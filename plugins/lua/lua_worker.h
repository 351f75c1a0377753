// LuaWorker: one worker's Lua state for one config, from worker_start to worker_stop (on that
// worker's thread). New streams get the current state; one retired after running out of memory
// (LuaVm::recoverMemory) is replaced by a fresh one, while the streams that began on it keep it
// alive until they end.
#pragma once

#include "plugins/lua/lua_vm.h"

namespace weft::lua {

class LuaWorker {
 public:
  // Builds the state at once, so a broken worker shows in the log at start, not at first request.
  LuaWorker(const LuaConfig& config, WorkerFacts facts);

  // The state new streams use; nullptr if it cannot be built (logged each time).
  LuaVmPtr vm();

 private:
  const LuaConfig& config_;
  const WorkerFacts facts_;
  LuaVmPtr vm_;
};

}  // namespace weft::lua
