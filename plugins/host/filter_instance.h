// FilterInstance: one filter entry of one config version — a module plus the config the module
// built from its JSON block, plus that config's per-worker states. Created on the main thread when
// a config is loaded; shared (by shared_ptr) by the config snapshot and every stream that began
// with it, so config_destroy runs only after the last such stream is gone.
#pragma once

#include <event2/event.h>

#include <list>
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

// What a weft_config_host* stands for: the filter entry a module config belongs to, so metrics it
// defines are created in `stats` with the tag filter=<filter_name>. Owned by its FilterInstance and
// valid as long as the instance (a module may keep the handle in its config).
class FilterInstance;
struct ConfigHost {
  std::string filter_name;
  stats::Store* stats = nullptr;
  FilterInstance* instance = nullptr;  // for worker timers; null for a handle made by hand

  weft_config_host* handle() { return reinterpret_cast<weft_config_host*>(this); }
  static ConfigHost* from(weft_config_host* h) { return reinterpret_cast<ConfigHost*>(h); }
};

class FilterInstance {
 public:
  // Calls the module's config_new with the entry's JSON. A refusal becomes an error that quotes
  // the module's own message: "<file:line>: filter 'name': <module message>".
  // `worker_count` sizes the per-worker state table. Metrics the module defines are created in
  // `stats`, which must outlive every use of their ids (ids are process-wide: in practice, the
  // process's one Store).
  static Result<std::shared_ptr<FilterInstance>> create(const LoadedModule& module,
                                                        const config::FilterConfig& entry,
                                                        stats::Store& stats, uint32_t worker_count);
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
  // Cancels the worker's pending worker timers, then runs worker_stop.
  void stopWorker(uint32_t index);

  // worker_timer_start / _cancel: timers on `worker`'s loop that run on_worker_timer with this
  // config's state on that worker. Called on that worker's thread only.
  int64_t startWorkerTimer(weft_worker_host* worker, uint64_t delay_ms);
  int cancelWorkerTimer(weft_worker_host* worker, int64_t token);

 private:
  FilterInstance() = default;

  struct WorkerTimer {
    FilterInstance* owner;
    uint32_t worker;
    int64_t token;
    ::event* event;
  };
  struct WorkerSlot {
    bool started = false;
    void* state = nullptr;
    std::list<WorkerTimer> timers;  // pending
    int64_t next_token = 1;
  };
  static void onWorkerTimer(evutil_socket_t, short, void* timer);
  static void freeTimer(WorkerTimer& timer);

  LoadedModule module_;
  ConfigHost config_host_;
  bool config_live_ = false;  // config_new succeeded, so config_destroy is owed
  void* module_config_ = nullptr;
  std::string name_;
  bool fail_open_ = false;
  std::vector<WorkerSlot> workers_;  // each slot touched only by its own worker
};

using FilterInstancePtr = std::shared_ptr<FilterInstance>;

// The single host function table handed to every module (static storage, never changes). Its
// functions are implemented in host_api.cc on top of HostStream, ConfigHost and HostWorker; every
// one checks its arguments and answers WEFT_ERR_INVALID_ARGUMENT (or false / 0) instead of
// crashing. Metrics defined through a config handle land in that handle's Store — the one given to
// FilterInstance::create.
const weft_host_api* hostApi();

// The Store for metrics defined through a ConfigHost whose `stats` is null (one made by hand, e.g.
// in a test). FilterInstance always sets `stats`, so the proxy itself need not call this.
void setHostStatsStore(stats::Store* store);

}  // namespace weft::plugins
