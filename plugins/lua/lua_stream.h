// LuaStream: one HTTP stream as the Lua filter sees it — the coroutines running the script's
// entry points for that stream, and what each one waits for. Created by stream_new on the
// stream's worker, destroyed by stream_destroy; every call comes from that worker.
//
// Each direction runs its entry point (on_request / on_response) as a coroutine, created when
// that direction's headers arrive. A run ends, or yields waiting for something; the hook then
// tells the host what to do with the stream until it comes:
//
//   the script waits for           the hook returns          resumed by
//   nothing (it finished)          CONTINUE                  -
//   body()                         STOP_AND_BUFFER           the body hook with the whole body
//     (after a sleep or httpCall made in the headers hook, the callback asks the host to buffer
//     instead: stream_buffer_body, ABI 1.5)
//   bodyChunks() (the next chunk)  CONTINUE                  each body hook, one chunk each
//   trailers()                     CONTINUE                  the trailers hook (nil at the end)
//   proxy.sleep(), httpCall()      STOP_ITERATION            on_timer / on_http_call_done;
//                                                            the direction resumes with
//                                                            continue_request/_response once
//                                                            the script stops waiting
//   respond() sent a local reply   STOP_ITERATION            - (the coroutine is over)
//
// A failed run (a Lua error, the instruction budget, the memory limit) is counted, logged with
// the script's file, line and traceback, and fails the hook: the hook returns kHookFailed, an
// out-of-range status that the host treats as a failing filter — 500, or continue when the entry
// is fail_open. In a callback (on_timer, on_http_call_done) there is no status to return: the
// filter calls stream_fail (ABI 1.5) and the host does the same. on_log runs from
// on_stream_complete; it may not wait for anything.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "plugins/lua/http_call.h"
#include "plugins/lua/lua_util.h"
#include "plugins/lua/lua_vm.h"
#include "weft/filter.hpp"

namespace weft::lua {

// What a hook returns after a failed run (see above). The ABI defines statuses 0..2 only.
inline constexpr weft_status kHookFailed = static_cast<weft_status>(3);

class LuaStream {
 public:
  LuaStream(LuaVmPtr vm, weft_stream_host* stream);
  ~LuaStream();  // releases the coroutines and per-stream tables
  LuaStream(const LuaStream&) = delete;
  LuaStream& operator=(const LuaStream&) = delete;

  // ---- the module's hooks ----
  weft_status onHeaders(Dir dir, bool end_stream);
  weft_status onBody(Dir dir, bool end_stream);
  weft_status onTrailers(Dir dir);
  void onTimer(int64_t token);
  void onComplete();
  // An httpCall finished (on_http_call_done); the script waiting for `token`, if any, resumes
  // with the result.
  void onHttpCallDone(int64_t token, const HttpCallResult& result);

  // ---- for the bindings, while this stream's hook runs (vm.current() == this) ----
  LuaVm& vm() const { return *vm_; }
  const Stream& host() const { return host_; }
  uint64_t serial() const { return serial_; }
  // Counts hook entries: a body buffer is usable only in the hook that handed it out.
  uint64_t epoch() const { return epoch_; }

  // The blocking calls of the handle. Each returns the number of results pushed, lua_yield's
  // value when the coroutine waits, or kRaise with a message pushed (lua_util.h). `L` must be
  // the coroutine of `dir` (not one the script made itself).
  int body(lua_State* L, Dir dir, size_t max, bool always_wrap);
  int nextChunk(lua_State* L, Dir dir);
  int trailers(lua_State* L, Dir dir);
  int respond(lua_State* L, Dir dir, uint32_t status, std::string_view body,
              const weft_header* headers, size_t count);
  int sleep(lua_State* L, Dir dir, uint64_t delay_ms);
  int httpCall(lua_State* L, Dir dir, const HttpCallRequest& request);

  // handle:metadata()'s table: the matched route's filter_metadata block under this filter
  // entry's name, else "envoy.filters.http.lua", else "lua" (empty without one), built on first
  // use and kept for the stream.
  void pushRouteMetadataTable(lua_State* L);

  // proxy.ctx (created on first use) and its replacement by `proxy.ctx = t`.
  void pushCtx(lua_State* L);
  void setCtx(lua_State* L, int index);
  // The per-stream table behind dynamicMetadata():set(filter, key, value) / get(filter).
  void pushMetadataMirror(lua_State* L);

 private:
  enum class Wait { kNothing, kBody, kChunk, kTrailers, kTimer, kHttpCall, kResponded };
  enum class Hook { kNone, kHeaders, kBody, kTrailers, kCallback, kLog };
  // What a run left the direction needing; hooks and callbacks map it differently.
  enum class Next { kGoOn, kHold, kBuffer, kReplied, kFailed };

  struct Direction {
    LuaVm::Coroutine co;  // present while the entry point has not ended
    Wait wait = Wait::kNothing;
    bool held = false;           // a hook returned STOP_*: continue_* is owed
    bool end_seen = false;       // the direction's last item reached this filter
    bool headers_ended = false;  // the headers were the whole direction: there is no body
    bool trailers_seen = false;  // its trailers did
    bool chunks = false;         // bodyChunks() was used: body() no longer can be
    bool body_in_hook = false;   // the running body hook holds the whole buffered body
    uint64_t body_epoch = 0;     // the hook that handed the body to body()
    size_t body_max = 0;         // of the pending body() call
    bool body_wrap = false;
    int64_t timer = 0;  // the pending sleep's token
    int64_t call = 0;   // the pending httpCall's token
  };

  class RunScope;  // marks this stream current in the VM for the duration of a run

  Direction& direction(Dir dir) { return dirs_[static_cast<int>(dir)]; }
  static Phase phaseOf(Dir dir) {
    return dir == Dir::kRequest ? Phase::kRequest : Phase::kResponse;
  }
  static weft_body bodyOf(Dir dir) {
    return dir == Dir::kRequest ? WEFT_BODY_REQUEST : WEFT_BODY_RESPONSE;
  }
  static weft_map trailersOf(Dir dir) {
    return dir == Dir::kRequest ? WEFT_MAP_REQUEST_TRAILERS : WEFT_MAP_RESPONSE_TRAILERS;
  }

  // Resumes `dir`'s coroutine with `nargs` values on its stack and settles the outcome.
  Next run(Dir dir, int nargs);
  Next failed(Dir dir, const LuaVm::RunOutcome& outcome);
  weft_status statusFor(Dir dir, Next next);
  // After a callback's run: resumes the held direction when the script no longer waits.
  void settleCallback(Dir dir, Next next);
  void finishRun(Dir dir);
  int pushBody(lua_State* L, Dir dir, size_t max, bool always_wrap);
  // 0, or kRaise when `L` is not `dir`'s own coroutine (`what` names the call).
  int refuseForeignThread(lua_State* L, Dir dir, const char* what);
  std::optional<uint64_t> contentLength(Dir dir) const;
  void runLog();
  void releaseRef(int& ref);

  LuaVmPtr vm_;
  Stream host_;
  const uint64_t serial_;
  uint64_t epoch_ = 0;
  Direction dirs_[2];
  Hook hook_ = Hook::kNone;
  int running_ = 0;           // nesting of RunScope (a host call can re-enter a hook)
  bool log_pending_ = false;  // on_stream_complete came during a run: on_log runs after it
  bool log_done_ = false;
  int ctx_ref_ = LUA_NOREF;
  int mirror_ref_ = LUA_NOREF;
  int route_metadata_ref_ = LUA_NOREF;
};

}  // namespace weft::lua
