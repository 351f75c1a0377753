// FilterInstance: a module's config for one filter entry, and its per-worker states. See
// filter_instance.h.
#include "plugins/host/filter_instance.h"

#include <array>
#include <cstring>

#include "core/common/logging.h"
#include "plugins/host/host_stream.h"

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
  instance->config_host_.instance = instance.get();

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
    slot.started = true;  // before worker_start, which may start worker timers
    const weft_filter_module& table = *module_.table;
    slot.state =
        table.worker_start != nullptr ? table.worker_start(module_config_, worker) : nullptr;
  }
  return slot.state;
}

void FilterInstance::stopWorker(uint32_t index) {
  if (index >= workers_.size() || !workers_[index].started) return;
  WorkerSlot& slot = workers_[index];
  for (WorkerTimer& timer : slot.timers) freeTimer(timer);
  slot.timers.clear();
  if (module_.table->worker_stop != nullptr) module_.table->worker_stop(module_config_, slot.state);
  slot = WorkerSlot{};
}

void FilterInstance::freeTimer(WorkerTimer& timer) {
  event_free(timer.event);
  timer.event = nullptr;
}

int64_t FilterInstance::startWorkerTimer(weft_worker_host* worker, uint64_t delay_ms) {
  HostWorker* host = HostWorker::from(worker);
  if (host->index >= workers_.size() || host->base == nullptr) return WEFT_ERR_INVALID_ARGUMENT;
  WorkerSlot& slot = workers_[host->index];
  if (!slot.started) return WEFT_ERR_WRONG_PHASE;
  WorkerTimer& timer =
      slot.timers.emplace_back(WorkerTimer{this, host->index, slot.next_token++, nullptr});
  timer.event = event_new(host->base, -1, 0, &FilterInstance::onWorkerTimer, &timer);
  if (timer.event == nullptr) {
    slot.timers.pop_back();
    return WEFT_ERR_LIMIT;
  }
  timeval delay{static_cast<time_t>(delay_ms / 1000),
                static_cast<suseconds_t>(delay_ms % 1000 * 1000)};
  event_add(timer.event, &delay);
  return timer.token;
}

int FilterInstance::cancelWorkerTimer(weft_worker_host* worker, int64_t token) {
  HostWorker* host = HostWorker::from(worker);
  if (host->index >= workers_.size()) return WEFT_ERR_INVALID_ARGUMENT;
  auto& timers = workers_[host->index].timers;
  for (auto it = timers.begin(); it != timers.end(); ++it) {
    if (it->token != token) continue;
    freeTimer(*it);
    timers.erase(it);
    return WEFT_OK;
  }
  return WEFT_ERR_NOT_FOUND;
}

void FilterInstance::onWorkerTimer(evutil_socket_t, short, void* context) {
  auto* fired = static_cast<WorkerTimer*>(context);
  FilterInstance& self = *fired->owner;
  WorkerSlot& slot = self.workers_[fired->worker];
  const int64_t token = fired->token;
  ::event* event = fired->event;
  // Off the list before the hook runs (it may start or cancel timers); freed once it returned.
  for (auto it = slot.timers.begin(); it != slot.timers.end(); ++it) {
    if (&*it == fired) {
      slot.timers.erase(it);
      break;
    }
  }
  const weft_filter_module& m = *self.module_.table;
  if (WEFT_HOST_HAS(&m, on_worker_timer) && m.on_worker_timer != nullptr) {
    m.on_worker_timer(self.module_config_, slot.state, token);
  }
  event_free(event);
}

}  // namespace weft::plugins
