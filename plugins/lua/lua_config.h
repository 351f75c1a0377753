// LuaConfig: what config_new builds from one `lua` filter entry — the script, its limits, its
// shared dictionaries, its counters and the client for httpCall. Built on the main thread, then
// read (never changed) by every worker; it outlives every state and stream made from it.
//
// Config (JSON):
//   {"source": "<lua code>"}  or  {"path": "/etc/weft/filter.lua"}      (exactly one of them)
//   "instruction_budget": 1000000    VM instructions per hook call before the script is stopped
//   "memory_limit_bytes": 67108864   per Lua state (one state per worker)
//   "body_limit": 1048576            default `max` of handle:body()
//   "max_pending_timers": 1024       proxy.timer.at/every callbacks waiting, per worker
//   "shared_dicts": {"name": bytes}  proxy.shared.<name>, shared by all workers (name:
//   [A-Za-z_][A-Za-z0-9_]*)
// `fail_open` is the generic filter option next to `config`, not part of this block.
//
// Loading checks the script completely: it is compiled (a syntax error fails the config with
// Lua's message and line) and its top level is run once in a scratch state with the same limits,
// which must define at least one entry point (on_request, on_response, on_log, or Envoy's
// envoy_on_request / envoy_on_response).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/status.h"
#include "plugins/lua/http_call.h"
#include "plugins/lua/shared_dict.h"
#include "weft/filter.hpp"

namespace weft::lua {

struct LuaOptions {
  std::string source;
  std::string chunk_name;   // "@/path/file.lua" or "=inline": Lua prefixes messages with it
  std::string script_name;  // the path or "inline", for logs
  size_t instruction_budget = 1'000'000;
  size_t memory_limit_bytes = size_t{64} << 20;
  size_t body_limit = size_t{1} << 20;
  size_t max_pending_timers = 1024;  // OpenResty's lua_max_pending_timers default
  std::vector<std::pair<std::string, size_t>> shared_dicts;  // name, capacity in bytes
};

// Parses the JSON block (reading `path` if given). Errors start with "lua: ".
Result<LuaOptions> parseLuaOptions(std::string_view json);

// Why a hook's script run failed; each kind has its counter.
enum class Failure { kError, kBudget, kMemory };

class LuaConfig {
 public:
  // Parses, makes the dictionaries, defines the counters and checks the script (see above).
  // `http_calls` null: the host's client (hostHttpCallClient).
  static Result<std::unique_ptr<LuaConfig>> create(
      const weft_host_api* host, weft_config_host* config_host, std::string_view json,
      std::shared_ptr<HttpCallClient> http_calls = nullptr);

  const weft_host_api* api() const { return host_.api(); }
  const Host& host() const { return host_; }
  weft_config_host* configHost() const { return config_host_; }
  // The filter entry's name (empty on a host older than ABI 1.5).
  const std::string& filterName() const { return filter_name_; }
  const LuaOptions& options() const { return options_; }
  const std::vector<SharedDictPtr>& dicts() const { return dicts_; }
  HttpCallClient& httpCalls() const { return *http_calls_; }

  // Counts a failed run: lua.errors, lua.budget_exceeded or lua.memory_errors.
  void count(Failure failure) const;

 private:
  LuaConfig(const weft_host_api* host, weft_config_host* config_host, LuaOptions options,
            std::shared_ptr<HttpCallClient> calls);

  Host host_;
  weft_config_host* config_host_;  // the host's handle for this config (worker timers)
  std::string filter_name_;
  LuaOptions options_;
  std::vector<SharedDictPtr> dicts_;
  std::shared_ptr<HttpCallClient> http_calls_;
  Counter errors_;
  Counter budget_exceeded_;
  Counter memory_errors_;
};

}  // namespace weft::lua
