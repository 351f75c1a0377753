// lua_filter_bench: CPU per request of the `lua` filter alone, without network or proxy noise.
// Drives N streams through the module's hooks via the real host function table (stream_new,
// on_request_headers, on_stream_complete, stream_destroy) with a script (default: weft_bench.lua
// beside this file) and prints microseconds per stream, minus the same header-map work done
// without the filter. Not a test; run it from a Release build:
//
//   build/release/tests/lua_filter_bench [SCRIPT.lua] [STREAMS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/common/json.h"
#include "core/stats/stats.h"
#include "plugins/host/filter_instance.h"
#include "plugins/host/host_stream.h"
#include "plugins/lua/lua_filter.h"

namespace {

using namespace weft;

// Request headers only: what on_request needs.
class BenchStream final : public plugins::HostStream {
 public:
  BenchStream() {
    headers.add(":method", "GET");
    headers.add(":path", "/");
    headers.add(":authority", "127.0.0.1:10000");
    headers.add("user-agent", "wrk-bench");
  }
  http::HeaderMap headers;

  http::HeaderMap* headerMap(weft_map map) override {
    return map == WEFT_MAP_REQUEST_HEADERS ? &headers : nullptr;
  }
  evbuffer* body(weft_body) override { return nullptr; }
  int sendLocalReply(uint32_t, std::string_view, const weft_header*, size_t,
                     std::string_view) override {
    return WEFT_OK;
  }
  int continueRequest() override { return WEFT_OK; }
  int continueResponse() override { return WEFT_OK; }
  int reset() override { return WEFT_OK; }
  int64_t timerStart(uint64_t) override { return 1; }
  int timerCancel(int64_t) override { return WEFT_OK; }
  int setUpstreamCluster(std::string_view) override { return WEFT_OK; }
  int setRouteName(std::string_view) override { return WEFT_OK; }
  bool clusterExists(std::string_view) override { return true; }
  bool infoString(weft_info_str, std::string_view&) override { return false; }
  bool infoNumber(weft_info_u64, uint64_t&) override { return false; }
  int metadataSet(std::string_view, std::string_view) override { return WEFT_OK; }
  bool metadataGet(std::string_view, std::string_view&) override { return false; }
  weft_worker_host* worker() override { return worker_host.handle(); }

 private:
  plugins::HostWorker worker_host{0, 1};
};

double microsPerStream(std::chrono::steady_clock::duration total, int streams) {
  return std::chrono::duration<double, std::micro>(total).count() / streams;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string script =
      argc > 1 ? argv[1]
               : (std::filesystem::path(__FILE__).parent_path() / "weft_bench.lua").string();
  const int streams = argc > 2 ? std::atoi(argv[2]) : 200000;
  stats::Store store;
  plugins::ConfigHost config_host{"bench", &store};
  const weft_filter_module* m = weft_lua_module_init(plugins::hostApi());
  const std::string json = "{\"path\": " + json::quoted(script) + "}";
  void* config = nullptr;
  char error[512] = {0};
  if (m == nullptr || streams <= 0 ||
      m->config_new(config_host.handle(), weft_str{json.data(), json.size()}, &config, error,
                    sizeof(error)) != 0) {
    std::fprintf(stderr, "lua_filter_bench: %s\n", error[0] ? error : "bad arguments");
    return 1;
  }
  plugins::HostWorker worker{0, 1};
  void* worker_state = m->worker_start(config, worker.handle());

  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < streams; ++i) {
    BenchStream stream;
    void* ctx = m->stream_new(config, worker_state, stream.handle());
    m->on_request_headers(ctx, stream.handle(), true);
    m->on_stream_complete(ctx, stream.handle());
    m->stream_destroy(ctx);
  }
  const auto filtered = std::chrono::steady_clock::now() - start;

  const auto baseline_start = std::chrono::steady_clock::now();
  for (int i = 0; i < streams; ++i) {
    BenchStream stream;  // the same maps, and the header the script adds, without Lua
    stream.headers.add("x-client", "wrk-bench@127.0.0.1:10000");
  }
  const auto baseline = std::chrono::steady_clock::now() - baseline_start;

  const double with_lua = microsPerStream(filtered, streams);
  const double without = microsPerStream(baseline, streams);
  std::printf("%s: %d streams: %.3f us/stream with the filter, %.3f without: Lua adds %.3f us\n",
              script.c_str(), streams, with_lua, without, with_lua - without);
  m->worker_stop(config, worker_state);
  m->config_destroy(config);
  return 0;
}
