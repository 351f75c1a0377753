// LuaVm: one LuaJIT state running one script, with its guards. The only owner of a lua_State in
// the Lua filter. One per worker per config (LuaWorker), plus a scratch one when a config is
// checked on the main thread. Used by one thread at a time, never concurrently.
//
// What a state gets:
//   - a sandbox: base (without dofile, loadfile, load, loadstring), coroutine, table, string
//     (without dump), math, bit, os.{time, clock, date, difftime}, debug.traceback; no io, no
//     package/require, no ffi, no jit module. print() and proxy.log() write to the proxy's log;
//     pairs() honours __pairs (so pairs(headers) works as in Envoy).
//   - the handle API (handle_api.h) and proxy.* (proxy_api.h);
//   - a memory limit: a lua_Alloc that refuses to grow the state beyond memory_limit_bytes while
//     script code runs (the VM's own bookkeeping outside runs is not refused). LuaJIT with 64-bit
//     GC (LJ_GC64, the default on x86-64 since 2.1) accepts a custom allocator; create() fails
//     clearly where lua_newstate is refused. Uncollected garbage counts too, so a state above 3/4
//     of its limit is collected after each run;
//   - an instruction budget: a count hook stops a run after instruction_budget VM instructions
//     (then fires on every instruction, so a pcall cannot swallow it). LuaJIT counts only
//     interpreted instructions — a compiled loop never returns to the hook — so the JIT compiler
//     is turned off for these states: budgets hold for every script, `while true do end` included.
//     The budget does not see time spent inside one C function (e.g. a pathological
//     string.find pattern on a huge string).
//
// Runs: every script run (top level, entry point, resumption) is a lua_resume of a coroutine
// through resume(), which arms both guards and classifies how the run ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <lua.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "plugins/lua/lua_util.h"

namespace weft::lua {

class LuaConfig;
class LuaStream;
class LuaTimers;

// What a state knows about the worker it serves (proxy.worker.*, proxy.timer.*).
struct WorkerFacts {
  uint32_t index = 0;
  std::optional<uint32_t> count;  // absent on hosts older than ABI 1.2
  LuaTimers* timers = nullptr;    // the worker's timers for this config
};

class LuaVm : public std::enable_shared_from_this<LuaVm> {
 public:
  enum class Entry { kRequest = 0, kResponse = 1, kLog = 2 };
  enum class RunStatus { kFinished, kYielded, kError, kBudget, kMemory };
  struct RunOutcome {
    RunStatus status = RunStatus::kFinished;
    std::string message;    // for failures: Lua's message ("inline:3: attempt to ...")
    std::string traceback;  // for failures: the coroutine's stack
  };
  // A coroutine anchored in the registry (so the GC keeps it) until release().
  struct Coroutine {
    lua_State* thread = nullptr;
    int ref = LUA_NOREF;
    explicit operator bool() const { return thread != nullptr; }
  };

  // Builds a state for `config`, runs the script's top level and finds its entry points.
  // `worker` is what proxy.worker.* answers (nullopt: the config check, where they are nil).
  // Errors carry Lua's message: "inline:3: '=' expected near 'x'".
  static Result<std::shared_ptr<LuaVm>> create(const LuaConfig& config,
                                               std::optional<WorkerFacts> worker);
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  const LuaConfig& config() const { return config_; }
  const std::optional<WorkerFacts>& worker() const { return worker_; }
  lua_State* state() const { return L_; }

  bool hasEntry(Entry entry) const { return entries_[static_cast<int>(entry)] != LUA_NOREF; }
  // A coroutine with an empty stack; one that finished normally before is reused instead of made
  // anew.
  Coroutine coroutine();
  // A coroutine() with `entry`'s function on its stack (push the arguments, then resume).
  Coroutine start(Entry entry);
  void release(Coroutine& coroutine);

  // Resumes `thread` with the `nargs` values on top of its stack, under both guards.
  RunOutcome resume(lua_State* thread, int nargs);

  // After a failed run of `phase` (its coroutine released): counts it (lua.errors,
  // lua.budget_exceeded, lua.memory_errors), logs the message and traceback, and after a memory
  // failure collects garbage (recoverMemory).
  void reportFailure(const RunOutcome& outcome, Phase phase);
  // After a run ran out of memory (and its coroutine was released): collects garbage. False when
  // the state is still nearly full (the script keeps too much in globals): it is then retired —
  // its streams finish on it, new streams get a fresh state.
  bool recoverMemory();
  bool retired() const { return retired_; }
  size_t memoryUsed() const { return guards_.used; }

  // The stream whose hook runs now, and the phase; nullptr / kLoad outside hooks. Set by
  // LuaStream around its runs; the bindings check objects against it.
  LuaStream* current() const { return current_; }
  Phase phase() const { return phase_; }
  void setCurrent(LuaStream* stream, Phase phase) {
    current_ = stream;
    phase_ = phase;
  }
  // Stream serial numbers, so an object kept from an ended stream is never mistaken for one of
  // a new stream at the same address.
  uint64_t nextSerial() { return ++serials_; }

  // The LuaVm that owns `L` (any of its coroutines): the bindings keep it as upvalue 1; this is
  // for the few places without upvalues (hooks, panic).
  static LuaVm& of(lua_State* L);

 private:
  // The allocator's and the count hook's state (lua_Alloc userdata).
  struct Guards {
    LuaVm* vm = nullptr;
    size_t used = 0;
    size_t limit = 0;
    bool enforce = false;  // refuse growth beyond `limit` (only while script code runs)
    bool refused = false;  // a growth was refused in this run
    bool budget_hit = false;
    int budget = 0;
  };

  LuaVm(const LuaConfig& config, std::optional<WorkerFacts> worker);
  Status build();
  Status findEntries();
  static void* allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void budgetHook(lua_State* L, lua_Debug* debug);
  static int panic(lua_State* L);

  const LuaConfig& config_;
  const std::optional<WorkerFacts> worker_;
  Guards guards_;
  lua_State* L_ = nullptr;
  int entries_[3] = {LUA_NOREF, LUA_NOREF, LUA_NOREF};
  bool retired_ = false;
  static constexpr size_t kIdleCoroutines = 64;
  std::vector<Coroutine> idle_;  // finished coroutines, anchored, ready for start()
  LuaStream* current_ = nullptr;
  Phase phase_ = Phase::kLoad;
  uint64_t serials_ = 0;
};

using LuaVmPtr = std::shared_ptr<LuaVm>;

}  // namespace weft::lua
