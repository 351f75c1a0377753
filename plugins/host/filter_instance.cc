// FilterInstance: a module's config for one filter entry, and its per-worker states. See
// filter_instance.h.
#include "plugins/host/filter_instance.h"

#include <array>
#include <cstring>

#include "core/common/logging.h"

namespace weft::plugins {

Result<std::shared_ptr<FilterInstance>> FilterInstance::create(const LoadedModule& module,
                                                               const config::FilterConfig& entry,
                                                               stats::Store& stats,
                                                               uint32_t worker_count) {
  std::shared_ptr<FilterInstance> instance(new FilterInstance());
  instance->module_ = module;
  instance->name_ = entry.name;
  instance->fail_open_ = entry.fail_open;
  instance->workers_.resize(worker_count);
  instance->config_host_.filter_name = entry.name;
  instance->config_host_.stats = &stats;

  const weft_filter_module& table = *module.table;
  if (table.config_new == nullptr) return instance;  // no config: moduleConfig() stays nullptr

  std::array<char, 1024> error{};
  weft_str json{entry.config_json.data(), entry.config_json.size()};
  void* config = nullptr;
  int rc =
      table.config_new(instance->config_host_.handle(), json, &config, error.data(), error.size());
  if (rc != 0) {
    error.back() = '\0';  // do not trust the module to terminate it
    std::string message = error[0] != '\0' ? error.data() : "rejected its config";
    std::string where = entry.location.empty() ? "" : entry.location + ": ";
    return Status::error(where + "filter '" + entry.name + "': " + message);
  }
  instance->module_config_ = config;
  instance->config_live_ = true;
  return instance;
}

FilterInstance::~FilterInstance() {
  size_t still_running = 0;
  for (const WorkerSlot& slot : workers_) still_running += slot.started ? 1 : 0;
  if (still_running != 0) {
    log::warn("filter '" + name_ + "': destroyed with " + std::to_string(still_running) +
              " worker state(s) never stopped; they leak");
  }
  if (config_live_ && module_.table->config_destroy != nullptr) {
    module_.table->config_destroy(module_config_);
  }
}

void* FilterInstance::workerState(uint32_t index, weft_worker_host* worker) {
  if (index >= workers_.size()) return nullptr;
  WorkerSlot& slot = workers_[index];
  if (!slot.started) {
    const weft_filter_module& table = *module_.table;
    slot.state =
        table.worker_start != nullptr ? table.worker_start(module_config_, worker) : nullptr;
    slot.started = true;
  }
  return slot.state;
}

void FilterInstance::stopWorker(uint32_t index) {
  if (index >= workers_.size() || !workers_[index].started) return;
  WorkerSlot& slot = workers_[index];
  if (module_.table->worker_stop != nullptr) module_.table->worker_stop(module_config_, slot.state);
  slot = WorkerSlot{};
}

}  // namespace weft::plugins
