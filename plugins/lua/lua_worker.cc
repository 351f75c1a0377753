// LuaWorker: see lua_worker.h.
#include "plugins/lua/lua_worker.h"

#include "plugins/lua/lua_config.h"

namespace weft::lua {

LuaWorker::LuaWorker(const LuaConfig& config, WorkerFacts facts, weft_worker_host* worker)
    : config_(config), facts_(facts), timers_(config, worker) {
  facts_.timers = &timers_;
  vm();
}

LuaVmPtr LuaWorker::vm() {
  if (vm_ != nullptr && !vm_->retired()) return vm_;
  if (vm_ != nullptr) timers_.abandon(*vm_);
  vm_.reset();
  auto built = LuaVm::create(config_, facts_);
  if (!built) {
    config_.host().error("lua: " + config_.options().script_name + ": worker " +
                         std::to_string(facts_.index) +
                         " cannot build its Lua state: " + built.status().message());
    return nullptr;
  }
  vm_ = std::move(*built);
  return vm_;
}

}  // namespace weft::lua
