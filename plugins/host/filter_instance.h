// FilterInstance: one filter entry of one config version — a module plus the config the module
// built from its JSON block, plus that config's per-worker states. Created on the main thread when
// a config is loaded; shared (by shared_ptr) by the config snapshot and every stream that began
// with it, so config_destroy runs only after the last such stream is gone.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/config/bootstrap.h"
#include "plugins/host/module_registry.h"
#include "weft/filter_abi.h"

namespace weft::stats {
class Store;
}

namespace weft::plugins {

class FilterInstance {
 public:
  // Calls the module's config_new with the entry's JSON. A refusal becomes an error that quotes
  // the module's own message: "<file:line>: filter 'name': <module message>".
  // `worker_count` sizes the per-worker state table.
  static Result<std::shared_ptr<FilterInstance>> create(const LoadedModule& module,
                                                        const config::FilterConfig& entry,
                                                        stats::Store& stats,
                                                        uint32_t worker_count);
  ~FilterInstance();  // config_destroy (worker states must have been stopped)

  FilterInstance(const FilterInstance&) = delete;
  FilterInstance& operator=(const FilterInstance&) = delete;

  const weft_filter_module& module() const { return *module_.table; }
  void* moduleConfig() const { return module_config_; }
  const std::string& name() const { return name_; }
  bool failOpen() const { return fail_open_; }

  // Per-worker state, created by worker_start on worker `index`'s thread the first time that
  // worker uses this config, and released by stopWorker on the same thread.
  void* workerState(uint32_t index, weft_worker_host* worker);
  void stopWorker(uint32_t index);

 private:
  FilterInstance() = default;

  struct WorkerSlot {
    bool started = false;
    void* state = nullptr;
  };

  LoadedModule module_;
  void* module_config_ = nullptr;
  std::string name_;
  bool fail_open_ = false;
  std::vector<WorkerSlot> workers_;  // each slot touched only by its own worker
};

using FilterInstancePtr = std::shared_ptr<FilterInstance>;

// The single host function table handed to every module. Its functions are implemented in
// host_api.cc on top of HostStream; metrics defined through it land in `stats`, which must be set
// once (setHostStatsStore) before any module is loaded.
const weft_host_api* hostApi();
void setHostStatsStore(stats::Store* store);

}  // namespace weft::plugins
