// LuaStream: see lua_stream.h.
#include "plugins/lua/lua_stream.h"

#include <charconv>
#include <optional>
#include <string>

#include "plugins/lua/handle_api.h"
#include "plugins/lua/json_to_lua.h"
#include "plugins/lua/lua_config.h"

namespace weft::lua {
namespace {

LuaVm::Entry entryOf(Dir dir) {
  return dir == Dir::kRequest ? LuaVm::Entry::kRequest : LuaVm::Entry::kResponse;
}

}  // namespace

// Makes the stream current in its VM (so the bindings accept its objects) and counts hook
// entries, for the length of one run. Nests: a host call made by the script may re-enter a hook.
class LuaStream::RunScope {
 public:
  RunScope(LuaStream& stream, Phase phase, Hook hook)
      : stream_(stream),
        previous_stream_(stream.vm_->current()),
        previous_phase_(stream.vm_->phase()),
        previous_hook_(stream.hook_) {
    stream.vm_->setCurrent(&stream, phase);
    stream.hook_ = hook;
    ++stream.epoch_;
    ++stream.running_;
  }
  ~RunScope() {
    --stream_.running_;
    stream_.hook_ = previous_hook_;
    stream_.vm_->setCurrent(previous_stream_, previous_phase_);
  }
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

 private:
  LuaStream& stream_;
  LuaStream* previous_stream_;
  Phase previous_phase_;
  Hook previous_hook_;
};

LuaStream::LuaStream(LuaVmPtr vm, weft_stream_host* stream)
    : vm_(std::move(vm)), host_(vm_->config().api(), stream), serial_(vm_->nextSerial()) {}

LuaStream::~LuaStream() {
  for (Direction& d : dirs_) vm_->release(d.co);  // the host cancels pending calls and timers
  releaseRef(ctx_ref_);
  releaseRef(mirror_ref_);
  releaseRef(route_metadata_ref_);
}

void LuaStream::releaseRef(int& ref) {
  if (ref != LUA_NOREF) luaL_unref(vm_->state(), LUA_REGISTRYINDEX, ref);
  ref = LUA_NOREF;
}

// ---- hooks ------------------------------------------------------------------------------------

weft_status LuaStream::onHeaders(Dir dir, bool end_stream) {
  Direction& d = direction(dir);
  d.end_seen = end_stream;
  d.headers_ended = end_stream;
  if (!vm_->hasEntry(entryOf(dir))) return WEFT_CONTINUE;
  Next next;
  {
    RunScope scope(*this, phaseOf(dir), Hook::kHeaders);
    d.co = vm_->start(entryOf(dir));
    pushHandle(d.co.thread, *this, phaseOf(dir));
    next = run(dir, 1);
  }
  const weft_status status = statusFor(dir, next);
  if (log_pending_) runLog();
  return status;
}

weft_status LuaStream::onBody(Dir dir, bool end_stream) {
  Direction& d = direction(dir);
  if (end_stream) d.end_seen = true;
  const bool wanted =
      d.wait == Wait::kBody || d.wait == Wait::kChunk || (d.wait == Wait::kTrailers && end_stream);
  if (!d.co || !wanted) return WEFT_CONTINUE;
  Next next;
  {
    RunScope scope(*this, phaseOf(dir), Hook::kBody);
    lua_State* co = d.co.thread;
    int nargs = 1;
    if (d.wait == Wait::kBody) {
      // The whole body, buffered by the host on our STOP_AND_BUFFER.
      d.body_in_hook = true;
      d.body_epoch = epoch_;
      nargs = pushBody(co, dir, d.body_max, d.body_wrap);
    } else if (d.wait == Wait::kChunk) {
      pushBodyBuffer(co, *this, dir);
    } else {
      lua_pushnil(co);  // trailers(): the direction ended without any
    }
    next = run(dir, nargs);
    d.body_in_hook = false;
  }
  const weft_status status = statusFor(dir, next);
  if (log_pending_) runLog();
  return status;
}

weft_status LuaStream::onTrailers(Dir dir) {
  Direction& d = direction(dir);
  d.end_seen = true;
  d.trailers_seen = true;
  if (!d.co || (d.wait != Wait::kChunk && d.wait != Wait::kTrailers)) return WEFT_CONTINUE;
  Next next;
  {
    RunScope scope(*this, phaseOf(dir), Hook::kTrailers);
    if (d.wait == Wait::kChunk) {
      lua_pushnil(d.co.thread);  // bodyChunks(): no more chunks
    } else {
      pushHeaderMap(d.co.thread, *this, trailersOf(dir));
    }
    next = run(dir, 1);
  }
  const weft_status status = statusFor(dir, next);
  if (log_pending_) runLog();
  return status;
}

void LuaStream::onTimer(int64_t token) {
  for (Dir dir : {Dir::kRequest, Dir::kResponse}) {
    Direction& d = direction(dir);
    if (!d.co || d.wait != Wait::kTimer || d.timer != token) continue;
    d.timer = 0;
    Next next;
    {
      RunScope scope(*this, phaseOf(dir), Hook::kCallback);
      next = run(dir, 0);
    }
    if (log_pending_) runLog();
    settleCallback(dir, next);  // last: resuming the stream may re-enter this object's hooks
    return;
  }
}

void LuaStream::onHttpCallDone(int64_t token, const HttpCallResult& result) {
  for (Dir dir : {Dir::kRequest, Dir::kResponse}) {
    Direction& d = direction(dir);
    if (!d.co || d.wait != Wait::kHttpCall || d.call != token) continue;
    d.call = 0;
    Next next;
    {
      RunScope scope(*this, phaseOf(dir), Hook::kCallback);
      next = run(dir, pushHttpCallResult(d.co.thread, result));
    }
    if (log_pending_) runLog();
    settleCallback(dir, next);
    return;
  }
}

void LuaStream::onComplete() {
  if (running_ > 0) {
    log_pending_ = true;  // e.g. respond() finished the stream from inside a run
    return;
  }
  runLog();
}

// ---- runs -------------------------------------------------------------------------------------

LuaStream::Next LuaStream::run(Dir dir, int nargs) {
  Direction& d = direction(dir);
  d.wait = Wait::kNothing;
  const LuaVm::RunOutcome outcome = vm_->resume(d.co.thread, nargs);
  if (outcome.status == LuaVm::RunStatus::kFinished) {
    finishRun(dir);
    return Next::kGoOn;
  }
  if (outcome.status != LuaVm::RunStatus::kYielded) return failed(dir, outcome);
  switch (d.wait) {
    case Wait::kBody:
      return Next::kBuffer;
    case Wait::kChunk:
    case Wait::kTrailers:
      return Next::kGoOn;
    case Wait::kTimer:
    case Wait::kHttpCall:
      return Next::kHold;
    case Wait::kResponded:
      finishRun(dir);
      return Next::kReplied;
    case Wait::kNothing:
      break;
  }
  LuaVm::RunOutcome stray;
  stray.status = LuaVm::RunStatus::kError;
  stray.message = std::string(phaseName(phaseOf(dir))) +
                  " yielded: coroutine.yield() may only be used inside coroutines the script "
                  "creates itself";
  return failed(dir, stray);
}

LuaStream::Next LuaStream::failed(Dir dir, const LuaVm::RunOutcome& outcome) {
  finishRun(dir);  // the coroutine goes first, so a memory failure can be collected
  vm_->reportFailure(outcome, phaseOf(dir));
  return Next::kFailed;
}

void LuaStream::finishRun(Dir dir) {
  Direction& d = direction(dir);
  vm_->release(d.co);
  d.wait = Wait::kNothing;
}

weft_status LuaStream::statusFor(Dir dir, Next next) {
  switch (next) {
    case Next::kGoOn:
      return WEFT_CONTINUE;
    case Next::kHold:
      direction(dir).held = true;
      return WEFT_STOP_ITERATION;
    case Next::kBuffer:
      return WEFT_STOP_AND_BUFFER;
    case Next::kReplied:
      return WEFT_STOP_ITERATION;
    case Next::kFailed:
      break;
  }
  return kHookFailed;
}

void LuaStream::settleCallback(Dir dir, Next next) {
  Direction& d = direction(dir);
  switch (next) {
    case Next::kHold:
      return;  // waits again (another sleep or call)
    case Next::kReplied:
      d.held = false;
      return;
    case Next::kBuffer:
      d.held = false;  // the host buffers now; the body hook resumes the script
      return;
    case Next::kFailed:
      d.held = false;
      // No status to return from a callback: the host applies the entry's fail_open.
      host_.fail("lua_error");
      return;
    case Next::kGoOn:
      if (!d.held) return;
      d.held = false;
      if (dir == Dir::kRequest) {
        host_.continueRequest();
      } else {
        host_.continueResponse();
      }
      return;
  }
}

void LuaStream::runLog() {
  log_pending_ = false;
  if (log_done_) return;
  log_done_ = true;
  if (!vm_->hasEntry(LuaVm::Entry::kLog)) return;
  LuaVm::Coroutine co = vm_->start(LuaVm::Entry::kLog);
  pushHandle(co.thread, *this, Phase::kLog);
  LuaVm::RunOutcome outcome;
  {
    RunScope scope(*this, Phase::kLog, Hook::kLog);
    outcome = vm_->resume(co.thread, 1);
  }
  vm_->release(co);
  if (outcome.status == LuaVm::RunStatus::kYielded) {
    outcome.status = LuaVm::RunStatus::kError;
    outcome.message = "on_log yielded: it may not wait for anything";
  }
  if (outcome.status != LuaVm::RunStatus::kFinished) vm_->reportFailure(outcome, Phase::kLog);
}

// ---- the handle's blocking calls --------------------------------------------------------------

int LuaStream::refuseForeignThread(lua_State* L, Dir dir, const char* what) {
  if (L == direction(dir).co.thread) return 0;
  return pushError(L, std::string(what) +
                          " must be called from the entry point itself, not from a coroutine "
                          "the script created");
}

std::optional<uint64_t> LuaStream::contentLength(Dir dir) const {
  const std::optional<std::string_view> value =
      host_.headers(dir == Dir::kRequest ? WEFT_MAP_REQUEST_HEADERS : WEFT_MAP_RESPONSE_HEADERS)
          .get("content-length");
  uint64_t length = 0;
  if (!value || value->empty()) return std::nullopt;
  auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), length);
  if (error != std::errc() || end != value->data() + value->size()) return std::nullopt;
  return length;
}

int LuaStream::pushBody(lua_State* L, Dir dir, size_t max, bool always_wrap) {
  const size_t length = host_.body(bodyOf(dir)).size();
  if (length > max) {
    lua_pushnil(L);
    lua_pushliteral(L, "too_large");
    return 2;
  }
  if (length == 0 && !always_wrap) {
    lua_pushnil(L);
    return 1;
  }
  pushBodyBuffer(L, *this, dir);
  return 1;
}

int LuaStream::body(lua_State* L, Dir dir, size_t max, bool always_wrap) {
  Direction& d = direction(dir);
  if (int refused = refuseForeignThread(L, dir, "body()")) return refused;
  if (d.chunks) return pushError(L, "body() cannot be used after bodyChunks()");
  if (d.body_in_hook && hook_ == Hook::kBody) return pushBody(L, dir, max, always_wrap);
  if (d.body_epoch != 0) {
    return pushError(L,
                     "body() is no longer available: the body was passed on when the hook "
                     "that delivered it returned");
  }
  if (d.headers_ended) return pushBody(L, dir, max, always_wrap);  // there is no body
  // From the headers hook the hook's STOP_AND_BUFFER asks for the body; after a sleep or an
  // httpCall made there, the host turns the hold into buffering (ABI 1.5).
  constexpr const char* kPassedOn =
      "body() must be called in the headers phase, or after a sleep or httpCall made there: "
      "the body has passed on";
  const bool held_in_callback = hook_ == Hook::kCallback && d.held;
  if (hook_ != Hook::kHeaders && !held_in_callback) return pushError(L, kPassedOn);
  if (std::optional<uint64_t> declared = contentLength(dir); declared && *declared > max) {
    lua_pushnil(L);
    lua_pushliteral(L, "too_large");  // known from the headers: nothing is buffered
    return 2;
  }
  if (held_in_callback) {
    // The host refuses when the hold is not at the headers (e.g. a sleep after trailers()).
    const weft_body which = dir == Dir::kRequest ? WEFT_BODY_REQUEST : WEFT_BODY_RESPONSE;
    if (host_.bufferBody(which) != WEFT_OK) return pushError(L, kPassedOn);
  }
  d.wait = Wait::kBody;
  d.body_max = max;
  d.body_wrap = always_wrap;
  return lua_yield(L, 0);
}

int LuaStream::nextChunk(lua_State* L, Dir dir) {
  Direction& d = direction(dir);
  if (int refused = refuseForeignThread(L, dir, "bodyChunks()")) return refused;
  d.chunks = true;
  if (d.end_seen || d.body_epoch != 0) {
    lua_pushnil(L);
    return 1;
  }
  d.wait = Wait::kChunk;
  return lua_yield(L, 0);
}

int LuaStream::trailers(lua_State* L, Dir dir) {
  Direction& d = direction(dir);
  if (int refused = refuseForeignThread(L, dir, "trailers()")) return refused;
  if (d.trailers_seen) {
    pushHeaderMap(L, *this, trailersOf(dir));
    return 1;
  }
  if (d.end_seen) {
    lua_pushnil(L);
    return 1;
  }
  d.wait = Wait::kTrailers;
  return lua_yield(L, 0);
}

int LuaStream::respond(lua_State* L, Dir dir, uint32_t status, std::string_view body,
                       const weft_header* headers, size_t count) {
  if (int refused = refuseForeignThread(L, dir, "respond()")) return refused;
  const weft_host_api* api = host_.api();
  const int rc = api->send_local_reply(host_.handle(), status, toWeftStr(body), headers, count,
                                       toWeftStr("lua_respond"));
  if (rc == WEFT_ERR_WRONG_PHASE) {
    return pushError(L, "respond() is too late: the response has already started");
  }
  if (rc != WEFT_OK) {
    return pushError(L,
                     "respond(): the reply was refused (:status must be 200..599, header "
                     "names and values valid)");
  }
  direction(dir).wait = Wait::kResponded;
  return lua_yield(L, 0);
}

int LuaStream::sleep(lua_State* L, Dir dir, uint64_t delay_ms) {
  if (int refused = refuseForeignThread(L, dir, "proxy.sleep()")) return refused;
  const int64_t token = host_.startTimer(delay_ms);
  if (token <= 0) return pushError(L, "proxy.sleep(): the host refused a timer");
  Direction& d = direction(dir);
  d.timer = token;
  d.wait = Wait::kTimer;
  return lua_yield(L, 0);
}

int LuaStream::httpCall(lua_State* L, Dir dir, const HttpCallRequest& request) {
  if (int refused = refuseForeignThread(L, dir, "httpCall()")) return refused;
  Result<int64_t> started = vm_->config().httpCalls().start(host_.handle(), request);
  if (!started) return pushError(L, started.status().message());
  if (request.asynchronous) return 0;
  Direction& d = direction(dir);
  d.call = *started;
  d.wait = Wait::kHttpCall;
  return lua_yield(L, 0);
}

// ---- per-stream tables ------------------------------------------------------------------------

void LuaStream::pushRouteMetadataTable(lua_State* L) {
  if (route_metadata_ref_ == LUA_NOREF) {
    const std::string_view names[] = {vm_->config().filterName(), "envoy.filters.http.lua", "lua"};
    std::optional<std::string_view> block;
    for (const std::string_view name : names) {
      if (!name.empty() && (block = host_.routeMetadataJson(name))) break;
    }
    if (!block || !pushJson(L, *block)) lua_newtable(L);
    route_metadata_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, route_metadata_ref_);
}

void LuaStream::pushCtx(lua_State* L) {
  if (ctx_ref_ == LUA_NOREF) {
    lua_newtable(L);
    ctx_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref_);
}

void LuaStream::setCtx(lua_State* L, int index) {
  lua_pushvalue(L, index);
  const int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  releaseRef(ctx_ref_);
  ctx_ref_ = ref;
}

void LuaStream::pushMetadataMirror(lua_State* L) {
  if (mirror_ref_ == LUA_NOREF) {
    lua_newtable(L);
    mirror_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, mirror_ref_);
}

}  // namespace weft::lua
