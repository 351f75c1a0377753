// Server: see server.h.
#include "core/server/server.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "core/common/logging.h"
#include "core/config/bootstrap.h"
#include "core/config/default_bootstrap.h"
#include "filters/fault/fault_filter.h"
#include "filters/router/router_filter.h"
#include "plugins/lua/lua_filter.h"

namespace weft::server {

namespace {
// How often listener certificate files are checked for changes (a stat per file) and health check
// counters reach the stats.
constexpr uint64_t kPollMs = 1000;
}  // namespace

Server::Server(Options options)
    : options_(std::move(options)),
      reload_success_(stats_.counter("server.reload_success")),
      reload_failure_(stats_.counter("server.reload_failure")) {
  plugins::setHostStatsStore(&stats_);
  modules_.registerBuiltin("router", &weft_router_module_init);
  modules_.registerBuiltin("lua", &weft_lua_module_init);
  modules_.registerBuiltin("fault", &weft_fault_module_init);
}

Server::~Server() {
  for (auto& worker : workers_) worker->stop();
}

Result<config::Bootstrap> Server::readBootstrap() const {
  if (options_.config_path.empty()) {
    return config::parseBootstrap(config::kDefaultBootstrap,
                                  std::string(config::kDefaultBootstrapName));
  }
  return config::loadBootstrap(options_.config_path);
}

Result<SnapshotPtr> Server::load() {
  auto bootstrap = readBootstrap();
  if (!bootstrap) return bootstrap.status();
  return ConfigSnapshot::build(*bootstrap, ++version_, modules_, stats_, worker_count_,
                               current_.get());
}

Result<std::vector<ListenerSockets>> Server::openNewListeners(const ConfigSnapshot& snapshot) {
  std::vector<ListenerSockets> sockets(worker_count_);
  auto give_back = [&] {
    for (auto& per_worker : sockets) {
      for (auto& [name, fd] : per_worker) close(fd);
    }
  };
  for (const auto& [name, listener] : snapshot.listeners) {
    std::string where = listener->address.toString();
    auto open = open_listeners_.find(name);
    if (open != open_listeners_.end() && open->second == where) continue;
    // Port 0: the first socket gets an ephemeral port; every other worker binds that same port.
    network::Address address = listener->address;
    for (uint32_t w = 0; w < worker_count_; ++w) {
      auto fd = network::listenReusePort(address, 4096);
      if (!fd) {
        give_back();
        return Status::error("listener '" + name + "': " + fd.status().message());
      }
      sockets[w][name] = *fd;
      if (w == 0) bound_[name] = address = network::localAddressOf(*fd);
    }
  }
  return sockets;
}

int Server::run() {
  auto bootstrap = readBootstrap();
  if (!bootstrap) {
    std::fprintf(stderr, "weft-proxy: %s\n", bootstrap.status().message().c_str());
    return 1;
  }
  worker_count_ = options_.workers_override ? options_.workers_override : bootstrap->workers;
  if (worker_count_ == 0) worker_count_ = std::max(1u, std::thread::hardware_concurrency());

  auto snapshot = ConfigSnapshot::build(*bootstrap, ++version_, modules_, stats_, worker_count_,
                                        current_.get());
  if (!snapshot) {
    std::fprintf(stderr, "weft-proxy: %s\n", snapshot.status().message().c_str());
    return 1;
  }
  auto sockets = openNewListeners(**snapshot);
  if (!sockets) {
    std::fprintf(stderr, "weft-proxy: %s\n", sockets.status().message().c_str());
    return 1;
  }
  current_ = *snapshot;
  for (const auto& [name, listener] : current_->listeners) {
    open_listeners_[name] = listener->address.toString();
  }
  health_checks_ = std::make_unique<HealthChecks>(loop_.base(), stats_);
  health_checks_->sync(*current_);

  admin_ = std::make_unique<admin::AdminServer>(loop_.base());
  const auto& admin_address = current_->bootstrap.admin;
  auto admin_port = admin_->listen(admin_address.address, admin_address.port);
  if (!admin_port) {
    std::fprintf(stderr, "weft-proxy: admin: %s\n", admin_port.status().message().c_str());
    return 1;
  }
  admin::addStatsHandlers(*admin_, stats_);
  admin::addLoggingHandler(*admin_);
  addServerEndpoints(*admin_, *this);

  for (uint32_t w = 0; w < worker_count_; ++w) {
    workers_.push_back(std::make_unique<Worker>(w, worker_count_, stats_, loop_));
    workers_.back()->start(current_, std::move((*sockets)[w]));
  }
  installSignals();
  second_poll_ = std::make_unique<event::Timer>(
      loop_.base(), &event::callMember<&Server::pollEverySecond, Server>, this);
  second_poll_->arm(kPollMs);

  for (const auto& [name, listener] : current_->listeners) {
    std::printf("weft-proxy: listener %s on %s\n", name.c_str(), bound_[name].toString().c_str());
  }
  std::printf("weft-proxy: admin on %s:%u\n", admin_address.address.c_str(),
              static_cast<unsigned>(*admin_port));
  std::printf("weft-proxy: %u workers\nweft-proxy: ready\n", worker_count_);
  std::fflush(stdout);
  ready_ = true;

  loop_.run();
  for (auto& worker : workers_) worker->stop();
  workers_.clear();
  log::info("drained; exiting");
  return 0;
}

int Server::validate() {
  auto snapshot = load();
  if (!snapshot) {
    std::fprintf(stderr, "weft-proxy: %s\n", snapshot.status().message().c_str());
    return 1;
  }
  std::printf("weft-proxy: %s is valid (%zu listeners, %zu clusters)\n",
              (*snapshot)->bootstrap.source_path.c_str(), (*snapshot)->listeners.size(),
              (*snapshot)->clusters.size());
  return 0;
}

void Server::pollEverySecond() {
  health_checks_->publishStats();
  for (const auto& [name, listener] : current_->listeners) {
    if (!listener->tls || !listener->tls->filesChanged()) continue;
    // New connections get the new certificate; open ones keep theirs.
    if (Status status = listener->tls->reload(); status) {
      log::info("listener '" + name + "': certificates reloaded");
    } else {
      log::error("listener '" + name +
                 "': certificate reload failed, keeping the old ones: " + status.message());
    }
  }
  second_poll_->arm(kPollMs);
}

void Server::reload() {
  if (draining_) return;
  auto snapshot = load();
  Result<std::vector<ListenerSockets>> sockets =
      snapshot ? openNewListeners(**snapshot)
               : Result<std::vector<ListenerSockets>>(snapshot.status());
  if (!snapshot || !sockets) {
    reload_failure_.inc();
    last_reload_error_ = sockets.status().message();
    log::error("reload rejected, keeping the running config: " + last_reload_error_);
    return;
  }
  current_ = *snapshot;
  health_checks_->sync(*current_);
  open_listeners_.clear();
  for (const auto& [name, listener] : current_->listeners) {
    open_listeners_[name] = listener->address.toString();
  }
  for (uint32_t w = 0; w < worker_count_; ++w) {
    workers_[w]->update(current_, std::move((*sockets)[w]));
  }
  last_reload_error_.clear();
  reload_success_.inc();
  log::info("reloaded " + options_.config_path + " (version " + std::to_string(current_->version) +
            ")");
}

void Server::startDrain() {
  if (draining_) return;
  draining_ = true;
  log::info("draining: no new connections; waiting for in-flight requests");
  for (auto& worker : workers_) worker->drain();
  drain_deadline_ = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(current_->bootstrap.drain_timeout_ms);
  drain_timer_ = std::make_unique<event::Timer>(
      loop_.base(), &event::callMember<&Server::checkDrained, Server>, this);
  drain_timer_->arm(50);
}

void Server::checkDrained() {
  size_t open = 0;
  for (auto& worker : workers_) open += worker->activeConnections();
  if (open == 0 || std::chrono::steady_clock::now() >= drain_deadline_) {
    if (open)
      log::warn("drain deadline reached with " + std::to_string(open) + " connections open");
    loop_.exit();
    return;
  }
  drain_timer_->arm(50);
}

void Server::installSignals() {
  struct Handler {
    int signal;
    void (*fn)(evutil_socket_t, short, void*);
  };
  static constexpr Handler kHandlers[] = {
      {SIGHUP, [](evutil_socket_t, short, void* s) { static_cast<Server*>(s)->reload(); }},
      {SIGTERM, [](evutil_socket_t, short, void* s) { static_cast<Server*>(s)->startDrain(); }},
      {SIGINT, [](evutil_socket_t, short, void* s) { static_cast<Server*>(s)->startDrain(); }},
      {SIGUSR1,
       [](evutil_socket_t, short, void* s) {
         auto* server = static_cast<Server*>(s);
         if (server->current_->access_log) server->current_->access_log->writer->reopen();
       }},
  };
  std::signal(SIGPIPE, SIG_IGN);
  for (const auto& h : kHandlers) {
    signals_.emplace_back(evsignal_new(loop_.base(), h.signal, h.fn, this));
    evsignal_add(signals_.back().get(), nullptr);
  }
}

}  // namespace weft::server
