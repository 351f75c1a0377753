// Drives a filter module through the proxy's real host function table (plugins/host/host_api.cc)
// on a stream that records what the filter asked for, so filter tests exercise the same argument
// checks, header maps and metric registration as the proxy.
//
//   FilterHarness h(weft_router_module_init, json);    // config_new through hostApi()
//   auto s = h.stream({{":method", "GET"}, {":path", "/"}, {":authority", "a"}});
//   BOOST_TEST(s->requestHeaders() == WEFT_CONTINUE);
//   s->responseHeaders({{":status", "200"}});        // then on_response_headers
//   h.counter("router.routed")
//
// Single-threaded: everything runs on the test's thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http/header_map.h"
#include "core/stats/stats.h"
#include "plugins/host/filter_instance.h"
#include "plugins/host/host_stream.h"
#include "weft/filter_abi.h"

namespace weft::testing {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A HostStream holding request and response headers, and a record of the filter's requests.
class TestStream final : public plugins::HostStream {
 public:
  struct Reply {
    uint32_t status = 0;
    std::string body;
    Fields headers;
    std::string details;
    std::optional<std::string> header(std::string_view name) const;
  };
  struct Timer {
    int64_t token = 0;
    uint64_t delay_ms = 0;
  };

  http::HeaderMap request;
  http::HeaderMap response;
  bool response_exists = false;
  std::string local_address = "127.0.0.1:10000";  // WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS
  std::optional<Reply> reply;
  std::string cluster, route;
  std::map<std::string, std::string, std::less<>> metadata;
  std::string response_flags;                     // "DI,FI": what stream_add_response_flag recorded
  uint64_t upstream_timeout_ms = 0;               // what set_upstream_timeout set
  std::optional<http::RetryPolicy> retry_policy;  // what set_retry_policy set
  std::vector<std::string> mirrors;               // add_request_mirror's clusters, in call order
  bool before_abi_1_3 = false;  // answer set_retry_policy / add_request_mirror as an older stream
  std::vector<Timer> timers;    // pending
  int continues = 0;            // continue_request calls

  http::HeaderMap* headerMap(weft_map map) override;
  evbuffer* body(weft_body) override { return nullptr; }
  int sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                     size_t count, std::string_view details) override;
  int continueRequest() override;
  int continueResponse() override { return WEFT_ERR_WRONG_PHASE; }
  int reset() override { return WEFT_ERR_WRONG_PHASE; }
  int64_t timerStart(uint64_t delay_ms) override;
  int timerCancel(int64_t token) override;
  int setUpstreamCluster(std::string_view c) override;
  int setRouteName(std::string_view r) override;
  bool clusterExists(std::string_view) override { return true; }
  bool infoString(weft_info_str key, std::string_view& out) override;
  bool infoNumber(weft_info_u64, uint64_t&) override { return false; }
  int metadataSet(std::string_view key, std::string_view value) override;
  bool metadataGet(std::string_view key, std::string_view& value) override;
  weft_worker_host* worker() override { return nullptr; }
  int addResponseFlag(std::string_view flag) override;
  int setUpstreamTimeout(uint64_t timeout_ms) override;
  int setRetryPolicy(const http::RetryPolicy& policy) override;
  int addRequestMirror(std::string_view cluster) override;

  // The first value of a request header, or "" when absent.
  std::string requestHeader(std::string_view name) const;
  std::string responseHeader(std::string_view name) const;

 private:
  int64_t next_token_ = 1;
};

class FilterHarness;

// One stream of a harness's config: the module's stream context on a TestStream.
class StreamRun {
 public:
  StreamRun(const FilterHarness& harness, const Fields& request);
  ~StreamRun();  // stream_destroy
  StreamRun(const StreamRun&) = delete;
  StreamRun& operator=(const StreamRun&) = delete;

  weft_status requestHeaders(bool end_stream = true);
  // Installs the response headers and runs on_response_headers.
  weft_status responseHeaders(const Fields& response, bool end_stream = true);
  // Fires the oldest pending timer (fails the test if there is none).
  void fireTimer();

  TestStream& stream() { return stream_; }
  const TestStream* operator->() const { return &stream_; }

 private:
  const weft_filter_module& module_;
  TestStream stream_;
  void* ctx_ = nullptr;
};

class FilterHarness {
 public:
  using InitFn = const weft_filter_module* (*)(const weft_host_api*);

  // Loads the module and configures it with `json`; fails the test if the config is refused.
  FilterHarness(InitFn init, std::string_view json);
  ~FilterHarness();
  FilterHarness(const FilterHarness&) = delete;
  FilterHarness& operator=(const FilterHarness&) = delete;

  // The message config_new refuses `json` with (fails the test if it accepts it).
  static std::string configError(InitFn init, std::string_view json);

  std::unique_ptr<StreamRun> stream(const Fields& request) const {
    return std::make_unique<StreamRun>(*this, request);
  }
  // One stream through on_request_headers, returned for inspection.
  std::unique_ptr<StreamRun> run(const Fields& request) const;

  uint64_t counter(std::string_view name) const;
  int64_t gauge(std::string_view name) const;

  const weft_filter_module& module() const { return *module_; }
  void* config() const { return config_; }

 private:
  const weft_filter_module* module_;
  mutable stats::Store store_;  // looked up (and created on first look) by the const readers
  // Unique per harness: metric ids are keyed by (store, filter name, metric), and a later harness
  // may get a Store at the same address.
  plugins::ConfigHost config_host_;
  void* config_ = nullptr;
};

}  // namespace weft::testing
