// Server: the proxy's main thread. Loads the bootstrap, builds config snapshots, opens one
// listening socket per listener per worker, starts the workers and the admin endpoint, and reacts
// to signals: SIGHUP reloads the file (a bad file is rejected whole and the running config keeps
// serving), SIGTERM/SIGINT drain (stop accepting, let in-flight requests finish up to
// drain_timeout, exit 0), SIGUSR1 reopens the access log.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/admin/admin_server.h"
#include "core/event/event_loop.h"
#include "core/server/health_checks.h"
#include "core/server/snapshot.h"
#include "core/server/worker.h"
#include "core/stats/stats.h"
#include "plugins/host/module_registry.h"

namespace weft::server {

struct Options {
  std::string config_path;        // empty: the embedded default (default_bootstrap.h)
  uint32_t workers_override = 0;  // 0: take the file's value (or one per core)
};

class Server {
 public:
  explicit Server(Options options);
  ~Server();

  // Runs until drained. Returns the process exit code: 0 after a clean drain, 1 when the
  // configuration could not be loaded at start.
  int run();
  // Loads the configuration as run() would — the file, every filter module and the config each
  // module is given — without opening a socket. Prints the verdict; returns the exit code.
  int validate();

  // Admin-visible state, main thread only.
  const SnapshotPtr& snapshot() const { return current_; }
  const stats::Store& stats() const { return stats_; }
  stats::Store& stats() { return stats_; }
  const std::string& lastReloadError() const { return last_reload_error_; }
  bool ready() const { return ready_ && !draining_; }
  void startDrain();

 private:
  Result<config::Bootstrap> readBootstrap() const;
  Result<SnapshotPtr> load();
  // Opens sockets for the listeners of `snapshot` that are not open yet (all of them at start).
  Result<std::vector<ListenerSockets>> openNewListeners(const ConfigSnapshot& snapshot);
  void reload();
  // Reloads listener certificates whose files changed on disk and publishes the health checkers'
  // counters; re-arms itself.
  void pollEverySecond();
  void checkDrained();
  void installSignals();

  Options options_;
  // Declared before the loop: snapshots still queued on the loop at exit release filter configs,
  // which need the modules and the stats.
  stats::Store stats_;
  plugins::ModuleRegistry modules_;
  event::EventLoop loop_;
  std::unique_ptr<admin::AdminServer> admin_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<HealthChecks> health_checks_;  // on loop_, created by run()
  uint32_t worker_count_ = 1;
  SnapshotPtr current_;
  uint64_t version_ = 0;
  std::map<std::string, std::string> open_listeners_;  // name -> "address:port" configured
  std::map<std::string, network::Address> bound_;      // name -> the address actually bound
  std::vector<event::EventPtr> signals_;
  std::unique_ptr<event::Timer> drain_timer_;
  std::unique_ptr<event::Timer> second_poll_;
  std::chrono::steady_clock::time_point drain_deadline_;
  std::string last_reload_error_;
  bool ready_ = false;
  bool draining_ = false;
  stats::Counter& reload_success_;
  stats::Counter& reload_failure_;
};

// Registers /config_dump, /clusters, /ready, /healthz and /drain for `server` (the stats and
// logging endpoints come from core/admin).
void addServerEndpoints(admin::AdminServer& admin, Server& server);

}  // namespace weft::server
