// What the Lua filter's unit tests share: the built-in "lua" loaded through the real plugin host
// (ModuleRegistry → FilterInstance → config_new, the real host function table), a fake stream
// behind that table, a driver that calls the module's hooks as the filter manager would, and a
// capture of the proxy's log.
#pragma once

#include <event2/buffer.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/status.h"
#include "core/stats/stats.h"
#include "plugins/host/filter_instance.h"
#include "plugins/host/host_stream.h"
#include "plugins/lua/http_call.h"
#include "weft/filter_abi.h"

namespace weft::lua::testing {

// Metric ids point into a Store for the life of the process: one Store for every test.
stats::Store& testStore();

using EvbufferPtr = std::unique_ptr<evbuffer, decltype(&evbuffer_free)>;

// A stream as the filter manager presents it, with everything a module can do recorded.
class FakeStream : public plugins::HostStream {
 public:
  explicit FakeStream(uint32_t worker_index = 0) { worker_host.index = worker_index; }

  http::HeaderMap request_headers;
  http::HeaderMap request_trailers;
  http::HeaderMap response_headers;
  http::HeaderMap response_trailers;
  bool responding = false;        // the response headers exist
  bool response_started = false;  // a local reply is too late
  EvbufferPtr request_body{evbuffer_new(), &evbuffer_free};
  EvbufferPtr response_body{evbuffer_new(), &evbuffer_free};
  bool in_request_body = false;  // a body hook runs: body() reaches the buffer
  bool in_response_body = false;

  struct Reply {
    uint32_t status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string details;
  };
  std::optional<Reply> reply;
  int continued_requests = 0;
  int continued_responses = 0;
  int resets = 0;
  std::vector<std::string> failures;       // stream_fail reasons (the host would apply fail_open)
  std::vector<weft_body> buffer_requests;  // stream_buffer_body calls, each answered WEFT_OK
  std::vector<uint64_t> timer_delays;      // token i + 1 is timer_delays[i]
  std::map<int, std::string> info;         // weft_info_str → value
  std::map<int, uint64_t> numbers;         // weft_info_u64 → value
  std::map<std::string, std::string, std::less<>> metadata;
  plugins::HostWorker worker_host;
  struct Call {
    std::string cluster;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    uint64_t timeout_ms = 0;
  };
  std::vector<Call> http_calls;  // token 500 + i + 1 is http_calls[i]

  std::string requestBodyText() const;
  std::string responseBodyText() const;

  http::HeaderMap* headerMap(weft_map map) override;
  evbuffer* body(weft_body which) override;
  int sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                     size_t header_count, std::string_view details) override;
  int continueRequest() override;
  int continueResponse() override;
  int reset() override;
  int bufferHeldBody(bool request) override;
  int failFromCallback(std::string_view reason) override;
  int64_t timerStart(uint64_t delay_ms) override;
  int timerCancel(int64_t token) override;
  int setUpstreamCluster(std::string_view) override { return WEFT_OK; }
  int setRouteName(std::string_view) override { return WEFT_OK; }
  bool clusterExists(std::string_view) override { return false; }
  bool infoString(weft_info_str key, std::string_view& out) override;
  bool infoNumber(weft_info_u64 key, uint64_t& out) override;
  int metadataSet(std::string_view key, std::string_view value) override;
  bool metadataGet(std::string_view key, std::string_view& value) override;
  weft_worker_host* worker() override { return worker_host.handle(); }
  int64_t httpCall(std::string_view cluster, const weft_header* headers, size_t header_count,
                   std::string_view body, uint64_t timeout_ms,
                   uint64_t max_response_bytes) override;
};

// One `lua` filter entry: loaded like the proxy loads it, with up to kWorkers worker states
// (a proxy of kWorkers workers) started on demand by the calling thread (which plays that
// worker). Each instance gets its own filter name, so its counters start at zero.
class LuaFilter {
 public:
  static constexpr uint32_t kWorkers = 4;

  // Fails the test if the config is refused.
  explicit LuaFilter(const std::string& json);
  // With an httpCall client of the test's own: the config is built directly (LuaConfig::create),
  // as config_new would with that client, and handed to the same module table.
  LuaFilter(const std::string& json, std::shared_ptr<HttpCallClient> http_calls);
  ~LuaFilter();  // stops the started workers, then the config goes
  LuaFilter(const LuaFilter&) = delete;
  LuaFilter& operator=(const LuaFilter&) = delete;

  // What config_new says about `json` through the real host: the instance or its error.
  static Result<plugins::FilterInstancePtr> load(const std::string& json);

  const weft_filter_module& module() const { return *module_; }
  void* config() const;
  void* workerState(uint32_t index);
  // Worker timers (proxy.timer.*) need a loop: a test that uses them gives its own, before the
  // first workerState(), and runs it.
  void setEventBase(event_base* base);
  const std::string& name() const { return name_; }
  // A counter the filter defined (lua.errors, ...), tagged with this filter's name.
  uint64_t counter(std::string_view stat) const;

 private:
  const weft_filter_module* module_ = nullptr;
  std::string name_;
  plugins::FilterInstancePtr instance_;
  std::unique_ptr<plugins::ConfigHost> config_host_;  // for a directly built config
  void* direct_config_ = nullptr;
  plugins::HostWorker workers_[kWorkers];
  void* worker_states_[kWorkers] = {};
  bool started_[kWorkers] = {};
};

// One stream through a LuaFilter on one worker, driven hook by hook. stream_new on construction;
// on_stream_complete (unless complete() ran) and stream_destroy on destruction.
class Exchange {
 public:
  explicit Exchange(LuaFilter& filter, uint32_t worker = 0);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Request headers :method GET, :path `path`, :authority example.com, :scheme http, plus
  // `extra`; then on_request_headers.
  weft_status requestHeaders(bool end_stream = true, std::string_view path = "/",
                             std::vector<std::pair<std::string, std::string>> extra = {});
  // Replaces the hook's body with `data` and runs the body hook.
  weft_status requestBody(std::string_view data, bool end_stream);
  weft_status requestTrailers();
  // Response headers :status `status` plus `extra` (they exist from now on).
  weft_status responseHeaders(bool end_stream = true, int status = 200,
                              std::vector<std::pair<std::string, std::string>> extra = {});
  weft_status responseBody(std::string_view data, bool end_stream);
  weft_status responseTrailers();
  // on_timer for token `token` (the last timer started when 0).
  void fireTimer(int64_t token = 0);
  // on_http_call_done for `token` with `result`.
  void httpCallDone(int64_t token, const weft_http_call_result& result);
  void complete();

  FakeStream& stream() { return stream_; }
  void* ctx() const { return ctx_; }
  std::optional<std::string> requestHeader(std::string_view name) const;
  std::optional<std::string> responseHeader(std::string_view name) const;

 private:
  weft_status body(bool request, std::string_view data, bool end_stream);

  const weft_filter_module& m_;
  FakeStream stream_;
  void* ctx_ = nullptr;
  bool completed_ = false;
};

// Everything the process writes to stderr (the proxy's log) while it lives.
class CapturedLog {
 public:
  CapturedLog();
  ~CapturedLog();
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const;

 private:
  int saved_fd_ = -1;
  std::string path_;
};

// A JSON config {"source": <script>} with `extra` fields (JSON text, e.g. "\"body_limit\": 5").
std::string inlineConfig(std::string_view script, std::string_view extra = "");

}  // namespace weft::lua::testing
