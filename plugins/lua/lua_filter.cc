// The Lua filter's module table: C trampolines from the ABI's hooks to LuaConfig, LuaWorker and
// LuaStream. No exception crosses into the host.
#include "plugins/lua/lua_filter.h"

#include <cstdio>
#include <exception>
#include <memory>

#include "plugins/lua/lua_config.h"
#include "plugins/lua/lua_stream.h"
#include "plugins/lua/lua_worker.h"

namespace weft::lua {
namespace {

// Set once by the entry function, on the main thread, before any other hook can run.
const weft_host_api* g_host = nullptr;

void logFailure(const char* where, const char* what) noexcept {
  char line[512];
  std::snprintf(line, sizeof(line), "lua: %s failed: %s", where, what);
  Host(g_host).error(line);
}

int configNew(weft_config_host* config_host, weft_str json, void** config_out, char* error,
              size_t error_cap) noexcept {
  try {
    auto config = LuaConfig::create(g_host, config_host, toView(json));
    if (config) {
      *config_out = config->release();
      return 0;
    }
    std::snprintf(error, error_cap, "%s", config.status().message().c_str());
  } catch (const std::exception& e) {
    std::snprintf(error, error_cap, "lua: %s", e.what());
  }
  return 1;
}

void configDestroy(void* config) noexcept { delete static_cast<LuaConfig*>(config); }

void* workerStart(void* config, weft_worker_host* worker) noexcept {
  try {
    WorkerFacts facts;
    if (WEFT_HOST_HAS(g_host, worker_index) && g_host->worker_index != nullptr) {
      facts.index = g_host->worker_index(worker);
    }
    if (WEFT_HOST_HAS(g_host, worker_count) && g_host->worker_count != nullptr) {
      facts.count = g_host->worker_count(worker);
    }
    return new LuaWorker(*static_cast<const LuaConfig*>(config), facts, worker);
  } catch (const std::exception& e) {
    logFailure("worker_start", e.what());
    return nullptr;
  }
}

// Pending proxy.timer callbacks run here, premature (their host timers are already cancelled).
void workerStop(void* /*config*/, void* worker_state) noexcept {
  delete static_cast<LuaWorker*>(worker_state);
}

void onWorkerTimer(void* /*config*/, void* worker_state, int64_t token) noexcept {
  if (worker_state == nullptr) return;
  try {
    static_cast<LuaWorker*>(worker_state)->onTimer(token);
  } catch (const std::exception& e) {
    logFailure("on_worker_timer", e.what());
  }
}

void* streamNew(void* /*config*/, void* worker_state, weft_stream_host* stream) noexcept {
  try {
    auto* worker = static_cast<LuaWorker*>(worker_state);
    LuaVmPtr vm = worker != nullptr ? worker->vm() : nullptr;
    return vm != nullptr ? new LuaStream(std::move(vm), stream) : nullptr;
  } catch (const std::exception& e) {
    logFailure("stream_new", e.what());
    return nullptr;
  }
}

void streamDestroy(void* ctx) noexcept { delete static_cast<LuaStream*>(ctx); }

// Runs `hook` on the stream's LuaStream; a missing one (its state could not be built) or an
// exception fails the hook like a script error.
template <typename Hook>
weft_status call(const char* where, void* ctx, Hook&& hook) noexcept {
  if (ctx == nullptr) {
    logFailure(where, "no Lua state for this stream (see the worker's earlier error)");
    return kHookFailed;
  }
  try {
    return hook(*static_cast<LuaStream*>(ctx));
  } catch (const std::exception& e) {
    logFailure(where, e.what());
    return kHookFailed;
  }
}

weft_status onRequestHeaders(void* ctx, weft_stream_host*, bool end_stream) noexcept {
  return call("on_request_headers", ctx,
              [&](LuaStream& s) { return s.onHeaders(Dir::kRequest, end_stream); });
}
weft_status onRequestBody(void* ctx, weft_stream_host*, bool end_stream) noexcept {
  return call("on_request_body", ctx,
              [&](LuaStream& s) { return s.onBody(Dir::kRequest, end_stream); });
}
weft_status onRequestTrailers(void* ctx, weft_stream_host*) noexcept {
  return call("on_request_trailers", ctx,
              [&](LuaStream& s) { return s.onTrailers(Dir::kRequest); });
}
weft_status onResponseHeaders(void* ctx, weft_stream_host*, bool end_stream) noexcept {
  return call("on_response_headers", ctx,
              [&](LuaStream& s) { return s.onHeaders(Dir::kResponse, end_stream); });
}
weft_status onResponseBody(void* ctx, weft_stream_host*, bool end_stream) noexcept {
  return call("on_response_body", ctx,
              [&](LuaStream& s) { return s.onBody(Dir::kResponse, end_stream); });
}
weft_status onResponseTrailers(void* ctx, weft_stream_host*) noexcept {
  return call("on_response_trailers", ctx,
              [&](LuaStream& s) { return s.onTrailers(Dir::kResponse); });
}

void onStreamComplete(void* ctx, weft_stream_host*) noexcept {
  if (ctx == nullptr) return;
  try {
    static_cast<LuaStream*>(ctx)->onComplete();
  } catch (const std::exception& e) {
    logFailure("on_stream_complete", e.what());
  }
}

void onTimer(void* ctx, weft_stream_host*, int64_t token) noexcept {
  if (ctx == nullptr) return;
  try {
    static_cast<LuaStream*>(ctx)->onTimer(token);
  } catch (const std::exception& e) {
    logFailure("on_timer", e.what());
  }
}

void onHttpCallDone(void* ctx, weft_stream_host*, int64_t token,
                    const weft_http_call_result* result) noexcept {
  if (ctx == nullptr || result == nullptr) return;
  try {
    static_cast<LuaStream*>(ctx)->onHttpCallDone(token, toHttpCallResult(*result));
  } catch (const std::exception& e) {
    logFailure("on_http_call_done", e.what());
  }
}

weft_filter_module makeTable() {
  weft_filter_module table{};
  table.struct_size = sizeof(weft_filter_module);
  table.abi_major = WEFT_ABI_MAJOR;
  table.abi_minor = WEFT_ABI_MINOR;
  table.name = "lua";
  table.version = "1.0.0";
  table.config_new = configNew;
  table.config_destroy = configDestroy;
  table.worker_start = workerStart;
  table.worker_stop = workerStop;
  table.stream_new = streamNew;
  table.stream_destroy = streamDestroy;
  table.on_request_headers = onRequestHeaders;
  table.on_request_body = onRequestBody;
  table.on_request_trailers = onRequestTrailers;
  table.on_response_headers = onResponseHeaders;
  table.on_response_body = onResponseBody;
  table.on_response_trailers = onResponseTrailers;
  table.on_stream_complete = onStreamComplete;
  table.on_timer = onTimer;
  table.on_http_call_done = onHttpCallDone;
  table.on_worker_timer = onWorkerTimer;
  return table;
}

}  // namespace
}  // namespace weft::lua

extern "C" const weft_filter_module* weft_lua_module_init(const weft_host_api* host) {
  static const weft_filter_module kTable = weft::lua::makeTable();
  if (host == nullptr) return nullptr;
  if (host->abi_major != WEFT_ABI_MAJOR) {
    char line[160];
    std::snprintf(line, sizeof(line), "lua: built for ABI %d.%d, host speaks ABI %u.%u",
                  WEFT_ABI_MAJOR, WEFT_ABI_MINOR, unsigned{host->abi_major},
                  unsigned{host->abi_minor});
    weft::Host(host).error(line);
    return nullptr;
  }
  weft::lua::g_host = host;
  return &kTable;
}
