// FilterInstance (config_new / config_destroy, worker states, error messages) and the host API
// table, driven through a fake HostStream with a real HeaderMap and real evbuffers — both by calls
// from C++ and by the test plugins themselves.
#include "plugins/host/filter_instance.h"

#include <event2/buffer.h>
#include <event2/event.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/stats/stats.h"
#include "plugins/host/host_stream.h"
#include "tests/unit/plugins/plugin_test_support.h"

namespace weft::plugins {
namespace {

using testing::moduleTable;
using testing::pluginPath;
using testing::why;

weft_str str(std::string_view s) { return weft_str{s.data(), s.size()}; }
std::string text(weft_str s) { return std::string(s.ptr, s.len); }

// Metric ids are process-wide and point into the Store, so the tests share one that never dies.
stats::Store& testStore() {
  static auto* store = new stats::Store();
  return *store;
}

using EvbufferPtr = std::unique_ptr<evbuffer, decltype(&evbuffer_free)>;

// A stream as the filter manager would present it: request headers and a request body exist,
// response headers only once `responding` is set; replies, resumptions and timers are recorded.
class FakeStream : public HostStream {
 public:
  http::HeaderMap request_headers;
  http::HeaderMap response_headers;
  bool responding = false;
  EvbufferPtr request_body{evbuffer_new(), &evbuffer_free};
  bool in_body_hook = true;

  struct Reply {
    uint32_t status;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string details;
  };
  std::optional<Reply> reply;
  int continued_requests = 0;
  std::vector<uint64_t> timer_delays;
  std::string cluster;
  HostWorker worker_host{3};

  http::HeaderMap* headerMap(weft_map map) override {
    if (map == WEFT_MAP_REQUEST_HEADERS) return &request_headers;
    if (map == WEFT_MAP_RESPONSE_HEADERS && responding) return &response_headers;
    return nullptr;
  }
  evbuffer* body(weft_body which) override {
    return which == WEFT_BODY_REQUEST && in_body_hook ? request_body.get() : nullptr;
  }
  int sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                     size_t header_count, std::string_view details) override {
    Reply r{status, std::string(body), {}, std::string(details)};
    for (size_t i = 0; i < header_count; ++i) {
      r.headers.emplace_back(text(headers[i].name), text(headers[i].value));
    }
    reply = std::move(r);
    return WEFT_OK;
  }
  int continueRequest() override {
    ++continued_requests;
    return WEFT_OK;
  }
  int continueResponse() override { return WEFT_ERR_WRONG_PHASE; }
  int reset() override {
    ++resets;
    return WEFT_OK;
  }
  int resets = 0;
  int64_t timerStart(uint64_t delay_ms) override {
    timer_delays.push_back(delay_ms);
    return static_cast<int64_t>(timer_delays.size());
  }
  int timerCancel(int64_t) override { return WEFT_OK; }
  int setUpstreamCluster(std::string_view c) override {
    cluster = c;
    return WEFT_OK;
  }
  int setRouteName(std::string_view) override { return WEFT_OK; }
  bool clusterExists(std::string_view c) override { return c == "backend"; }
  bool infoString(weft_info_str key, std::string_view& out) override {
    if (key != WEFT_INFO_PROTOCOL) return false;
    out = "HTTP/1.1";
    return true;
  }
  bool infoNumber(weft_info_u64 key, uint64_t& out) override {
    out = 200;
    return key == WEFT_INFO_RESPONSE_CODE;
  }
  int metadataSet(std::string_view, std::string_view) override { return WEFT_OK; }
  bool metadataGet(std::string_view, std::string_view&) override { return false; }
  weft_worker_host* worker() override { return worker_host.handle(); }
};

// The host functions as a C module sees them: enums are plain ints there, so a module can pass
// values no enumerator has. Calling through these types is how the tests do the same.
using HeaderSizeRaw = size_t (*)(weft_stream_host*, int);
using HeaderAddRaw = int (*)(weft_stream_host*, int, weft_str, weft_str);
using BodyLengthRaw = size_t (*)(weft_stream_host*, int);
using InfoStrRaw = bool (*)(weft_stream_host*, int, weft_str*);
using LogRaw = void (*)(int, weft_str);

config::FilterConfig entryFor(const std::string& plugin, std::string json, std::string name = "f") {
  config::FilterConfig entry;
  entry.name = std::move(name);
  entry.plugin = pluginPath(plugin);
  entry.config_json = std::move(json);
  entry.location = "weft.yaml:12";
  return entry;
}

// Loads a test plugin and builds a FilterInstance from it, or fails the test.
FilterInstancePtr instanceOf(ModuleRegistry& registry, const std::string& plugin,
                             const std::string& json, const std::string& name = "f") {
  auto module = registry.load(pluginPath(plugin));
  BOOST_REQUIRE_MESSAGE(module.isOk(), why(module));
  auto instance = FilterInstance::create(**module, entryFor(plugin, json, name), testStore(), 2);
  BOOST_REQUIRE_MESSAGE(instance.isOk(), why(instance));
  return *instance;
}

// A built-in module that records its lifecycle calls.
struct Lifecycle {
  int config_destroyed = 0;
  int worker_started = 0;
  int worker_stopped = 0;
};
Lifecycle g_life;
int g_config_token = 0;

int lifeConfigNew(weft_config_host*, weft_str json, void** out, char* error, size_t cap) {
  if (text(json) == "silent-refusal") return 7;
  *out = &g_config_token;
  return 0;
}
void lifeConfigDestroy(void* config) {
  if (config == &g_config_token) ++g_life.config_destroyed;
}
void* lifeWorkerStart(void* config, weft_worker_host* worker) {
  ++g_life.worker_started;
  return worker;
}
void lifeWorkerStop(void* config, void* state) { ++g_life.worker_stopped; }
const weft_filter_module kLife = [] {
  weft_filter_module table = moduleTable("life");
  table.config_new = lifeConfigNew;
  table.config_destroy = lifeConfigDestroy;
  table.worker_start = lifeWorkerStart;
  table.worker_stop = lifeWorkerStop;
  return table;
}();
const weft_filter_module* lifeInit(const weft_host_api*) { return &kLife; }

// A module that starts a worker timer from worker_start, and from each firing another one until
// three have fired; the last one it starts is left pending for worker_stop to cancel.
struct TickerState {
  const weft_host_api* host = nullptr;
  weft_config_host* config = nullptr;
  weft_worker_host* worker = nullptr;
  std::vector<int64_t> fired;
  int64_t pending = 0;
};
TickerState g_ticker;
int tickerConfigNew(weft_config_host* host_config, weft_str, void** out, char*, size_t) {
  g_ticker.config = host_config;
  *out = &g_ticker;
  return 0;
}
void* tickerWorkerStart(void*, weft_worker_host* worker) {
  g_ticker.worker = worker;
  g_ticker.pending = g_ticker.host->worker_timer_start(g_ticker.config, worker, 5);
  return &g_ticker;
}
void tickerFired(void* config, void* state, int64_t token) {
  auto* ticker = static_cast<TickerState*>(state);
  BOOST_TEST(config == static_cast<void*>(&g_ticker));
  ticker->fired.push_back(token);
  ticker->pending = ticker->host->worker_timer_start(ticker->config, ticker->worker,
                                                     ticker->fired.size() < 3 ? 5 : 60000);
}
const weft_filter_module kTicker = [] {
  weft_filter_module table = moduleTable("ticker");
  table.config_new = tickerConfigNew;
  table.worker_start = tickerWorkerStart;
  table.on_worker_timer = tickerFired;
  return table;
}();
const weft_filter_module* tickerInit(const weft_host_api* host) {
  g_ticker.host = host;
  return &kTicker;
}

const weft_filter_module kBare = moduleTable("bare");
const weft_filter_module* bareInit(const weft_host_api*) { return &kBare; }

}  // namespace

BOOST_AUTO_TEST_SUITE(filter_instance)

BOOST_AUTO_TEST_CASE(worker_timers_fire_on_the_worker_and_die_with_its_state) {
  ModuleRegistry registry;
  registry.registerBuiltin("ticker", tickerInit);
  auto module = registry.builtin("ticker");
  BOOST_REQUIRE(module.isOk());
  config::FilterConfig entry;
  entry.name = "ticker";
  entry.builtin = "ticker";
  auto instance = FilterInstance::create(**module, entry, testStore(), 1);
  BOOST_REQUIRE_MESSAGE(instance.isOk(), why(instance));

  event_base* base = event_base_new();
  HostWorker worker{0, 1, base};
  BOOST_TEST((*instance)->workerState(0, worker.handle()) == static_cast<void*>(&g_ticker));
  BOOST_TEST(g_ticker.pending > 0);
  while (g_ticker.fired.size() < 3) event_base_loop(base, EVLOOP_ONCE);
  BOOST_TEST((g_ticker.fired == std::vector<int64_t>{1, 2, 3}));
  BOOST_TEST(g_ticker.pending == 4);

  // Cancelling works once; the pending timer is freed by stopWorker (ASan would see a leak).
  const weft_host_api* host = hostApi();
  BOOST_TEST(host->worker_timer_cancel(g_ticker.config, worker.handle(), 99) == WEFT_ERR_NOT_FOUND);
  int64_t extra = host->worker_timer_start(g_ticker.config, worker.handle(), 60000);
  BOOST_TEST(host->worker_timer_cancel(g_ticker.config, worker.handle(), extra) == WEFT_OK);
  (*instance)->stopWorker(0);
  BOOST_TEST(host->worker_timer_start(g_ticker.config, worker.handle(), 5) == WEFT_ERR_WRONG_PHASE);
  event_base_free(base);
}

BOOST_AUTO_TEST_CASE(a_rejected_config_carries_location_name_and_module_message) {
  ModuleRegistry registry;
  auto module = registry.load(pluginPath("reject_config"));
  BOOST_REQUIRE(module.isOk());
  auto refused = FilterInstance::create(
      **module, entryFor("reject_config", R"({"greeting":1})", "greeter"), testStore(), 1);
  BOOST_REQUIRE(!refused.isOk());
  BOOST_TEST(refused.status().message() ==
             "weft.yaml:12: filter 'greeter': greeting must be a string");

  auto accepted = FilterInstance::create(
      **module, entryFor("reject_config", R"({"greeting":"hi"})", "greeter"), testStore(), 1);
  BOOST_REQUIRE_MESSAGE(accepted.isOk(), why(accepted));
  BOOST_TEST((*accepted)->name() == "greeter");
}

BOOST_AUTO_TEST_CASE(a_refusal_without_a_message_says_so_and_destroys_nothing) {
  ModuleRegistry registry;
  registry.registerBuiltin("life", lifeInit);
  auto module = registry.builtin("life");
  BOOST_REQUIRE(module.isOk());
  config::FilterConfig entry;
  entry.name = "quiet";
  entry.builtin = "life";
  entry.config_json = "silent-refusal";
  entry.location = "w.yaml:3";
  const int destroyed_before = g_life.config_destroyed;
  auto refused = FilterInstance::create(**module, entry, testStore(), 1);
  BOOST_REQUIRE(!refused.isOk());
  BOOST_TEST(refused.status().message() == "w.yaml:3: filter 'quiet': rejected its config");
  BOOST_TEST(g_life.config_destroyed == destroyed_before);
}

BOOST_AUTO_TEST_CASE(worker_states_start_once_and_config_is_destroyed_last) {
  ModuleRegistry registry;
  registry.registerBuiltin("life", lifeInit);
  auto module = registry.builtin("life");
  BOOST_REQUIRE(module.isOk());
  config::FilterConfig entry;
  entry.name = "life";
  entry.config_json = "{}";
  entry.fail_open = true;
  const Lifecycle before = g_life;
  {
    auto instance = FilterInstance::create(**module, entry, testStore(), 2);
    BOOST_REQUIRE(instance.isOk());
    FilterInstance& filter = **instance;
    BOOST_TEST(filter.moduleConfig() == &g_config_token);
    BOOST_TEST(filter.failOpen());

    HostWorker w0{0}, w1{1};
    BOOST_TEST(filter.workerState(0, w0.handle()) == w0.handle());
    BOOST_TEST(filter.workerState(0, w0.handle()) == w0.handle());
    BOOST_TEST(filter.workerState(1, w1.handle()) == w1.handle());
    BOOST_TEST(filter.workerState(2, w1.handle()) == nullptr);  // no such worker
    BOOST_TEST(g_life.worker_started == before.worker_started + 2);

    filter.stopWorker(0);
    filter.stopWorker(0);  // already stopped: no second worker_stop
    filter.stopWorker(1);
    BOOST_TEST(g_life.worker_stopped == before.worker_stopped + 2);
    BOOST_TEST(g_life.config_destroyed == before.config_destroyed);
  }
  BOOST_TEST(g_life.config_destroyed == before.config_destroyed + 1);
}

BOOST_AUTO_TEST_CASE(a_module_without_config_new_has_a_null_config) {
  ModuleRegistry registry;
  registry.registerBuiltin("bare", bareInit);
  auto module = registry.builtin("bare");
  BOOST_REQUIRE(module.isOk());
  config::FilterConfig entry;
  entry.name = "bare";
  auto instance = FilterInstance::create(**module, entry, testStore(), 1);
  BOOST_REQUIRE(instance.isOk());
  BOOST_TEST((*instance)->moduleConfig() == nullptr);
  HostWorker w{0};
  BOOST_TEST((*instance)->workerState(0, w.handle()) == nullptr);
  (*instance)->stopWorker(0);
}

BOOST_AUTO_TEST_CASE(good_filter_counts_requests_in_the_store_tagged_with_the_filter) {
  ModuleRegistry registry;
  FilterInstancePtr filter = instanceOf(registry, "good_filter", R"({"anything": [1, 2]})", "noop");
  const weft_filter_module& m = filter->module();
  FakeStream stream;
  for (int i = 0; i < 3; ++i) {
    void* ctx = m.stream_new(filter->moduleConfig(), nullptr, stream.handle());
    BOOST_TEST(m.on_request_headers(ctx, stream.handle(), true) == WEFT_CONTINUE);
  }
  BOOST_TEST(testStore().counter("requests_total", {{"filter", "noop"}}).value() == 3u);
}

BOOST_AUTO_TEST_CASE(set_header_touches_both_directions) {
  ModuleRegistry registry;
  FilterInstancePtr filter = instanceOf(registry, "set_header", "{}");
  const weft_filter_module& m = filter->module();
  FakeStream stream;
  BOOST_TEST(m.on_request_headers(nullptr, stream.handle(), false) == WEFT_CONTINUE);
  BOOST_REQUIRE(stream.request_headers.get("x-weft-filter") != nullptr);
  BOOST_TEST(*stream.request_headers.get("x-weft-filter") == "set-header");

  stream.responding = true;
  BOOST_TEST(m.on_response_headers(nullptr, stream.handle(), false) == WEFT_CONTINUE);
  BOOST_REQUIRE(stream.response_headers.get("x-weft-seen") != nullptr);
  BOOST_TEST(*stream.response_headers.get("x-weft-seen") == "1");
}

BOOST_AUTO_TEST_CASE(local_reply_denies_only_deny_paths) {
  ModuleRegistry registry;
  FilterInstancePtr filter = instanceOf(registry, "local_reply", "{}");
  const weft_filter_module& m = filter->module();

  FakeStream allowed;
  allowed.request_headers.add(":path", "/ok/deny");
  BOOST_TEST(m.on_request_headers(nullptr, allowed.handle(), true) == WEFT_CONTINUE);
  BOOST_TEST(!allowed.reply.has_value());

  FakeStream denied;
  denied.request_headers.add(":path", "/deny/me");
  BOOST_TEST(m.on_request_headers(nullptr, denied.handle(), true) == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(denied.reply.has_value());
  BOOST_TEST(denied.reply->status == 403u);
  BOOST_TEST(denied.reply->body == "denied by local_reply\n");
  BOOST_REQUIRE(denied.reply->headers.size() == 1u);
  BOOST_TEST(denied.reply->headers[0].first == "x-weft-denied");
  BOOST_TEST(denied.reply->headers[0].second == "1");
}

BOOST_AUTO_TEST_CASE(timer_resume_holds_then_resumes_from_on_timer) {
  ModuleRegistry registry;
  FilterInstancePtr filter = instanceOf(registry, "timer_resume", R"({"delay_ms": 7})");
  const weft_filter_module& m = filter->module();
  FakeStream stream;
  void* ctx = m.stream_new(filter->moduleConfig(), nullptr, stream.handle());
  BOOST_REQUIRE(ctx != nullptr);
  BOOST_TEST(m.on_request_headers(ctx, stream.handle(), true) == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(stream.timer_delays.size() == 1u);
  BOOST_TEST(stream.timer_delays[0] == 7u);
  BOOST_TEST(stream.continued_requests == 0);

  m.on_timer(ctx, stream.handle(), 1);
  BOOST_TEST(stream.continued_requests == 1);
  BOOST_REQUIRE(stream.request_headers.get("x-weft-resumed") != nullptr);
  BOOST_TEST(std::stoi(*stream.request_headers.get("x-weft-resumed")) >= 0);
  m.stream_destroy(ctx);

  FilterInstancePtr by_default = instanceOf(registry, "timer_resume", "{}");
  FakeStream other;
  void* other_ctx = m.stream_new(by_default->moduleConfig(), nullptr, other.handle());
  m.on_request_headers(other_ctx, other.handle(), true);
  BOOST_REQUIRE(other.timer_delays.size() == 1u);
  BOOST_TEST(other.timer_delays[0] == 50u);
  m.stream_destroy(other_ctx);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(host_api)

BOOST_AUTO_TEST_CASE(the_table_describes_this_abi) {
  const weft_host_api* api = hostApi();
  BOOST_TEST(api->struct_size == sizeof(weft_host_api));
  BOOST_TEST(api->abi_major == WEFT_ABI_MAJOR);
  BOOST_TEST(api->abi_minor == WEFT_ABI_MINOR);
  BOOST_TEST(WEFT_HOST_HAS(api, worker_index));
}

BOOST_AUTO_TEST_CASE(headers_add_set_remove_get_with_multiple_values) {
  const weft_host_api* api = hostApi();
  FakeStream stream;
  weft_stream_host* s = stream.handle();
  const weft_map req = WEFT_MAP_REQUEST_HEADERS;

  BOOST_TEST(api->header_add(s, req, str(":path"), str("/a")) == WEFT_OK);
  BOOST_TEST(api->header_add(s, req, str("Accept"), str("text/html")) == WEFT_OK);
  BOOST_TEST(api->header_add(s, req, str("accept"), str("application/json")) == WEFT_OK);
  BOOST_TEST(api->header_add(s, req, str("x-empty"), str("")) == WEFT_OK);
  BOOST_TEST(api->header_size(s, req) == 4u);

  BOOST_TEST(api->header_count(s, req, str("ACCEPT")) == 2u);
  weft_str value{};
  BOOST_TEST(api->header_get(s, req, str("accept"), 1, &value));
  BOOST_TEST(text(value) == "application/json");
  BOOST_TEST(!api->header_get(s, req, str("accept"), 2, &value));
  BOOST_TEST(!api->header_get(s, req, str("missing"), 0, &value));

  weft_str name{};
  BOOST_TEST(api->header_at(s, req, 0, &name, &value));
  BOOST_TEST(text(name) == ":path");
  BOOST_TEST(text(value) == "/a");
  BOOST_TEST(!api->header_at(s, req, 4, &name, &value));
  BOOST_TEST(!api->header_at(s, req, 0, nullptr, &value));

  BOOST_TEST(api->header_set(s, req, str("accept"), str("*/*")) == WEFT_OK);
  BOOST_TEST(api->header_count(s, req, str("accept")) == 1u);
  BOOST_TEST(api->header_get(s, req, str("accept"), 0, &value));
  BOOST_TEST(text(value) == "*/*");

  BOOST_TEST(api->header_remove(s, req, str("accept")) == WEFT_OK);
  BOOST_TEST(api->header_remove(s, req, str("accept")) == WEFT_OK);
  BOOST_TEST(api->header_count(s, req, str("accept")) == 0u);
  BOOST_TEST(api->header_size(s, req) == 2u);
}

BOOST_AUTO_TEST_CASE(malformed_header_names_and_values_are_refused) {
  const weft_host_api* api = hostApi();
  FakeStream stream;
  weft_stream_host* s = stream.handle();
  const weft_map req = WEFT_MAP_REQUEST_HEADERS;
  const weft_str ok = str("v");

  for (std::string_view bad : {"", "bad name", "colon:inside", ":bogus", "tab\t", "nl\n"}) {
    BOOST_TEST(api->header_add(s, req, str(bad), ok) == WEFT_ERR_INVALID_ARGUMENT,
               "name '" << bad << "'");
    BOOST_TEST(api->header_set(s, req, str(bad), ok) == WEFT_ERR_INVALID_ARGUMENT);
    BOOST_TEST(api->header_remove(s, req, str(bad)) == WEFT_ERR_INVALID_ARGUMENT);
  }
  BOOST_TEST(api->header_add(s, req, weft_str{nullptr, 3}, ok) == WEFT_ERR_INVALID_ARGUMENT);

  const std::string with_nul("a\0b", 3);
  for (std::string_view bad : {std::string_view("a\r\nx-injected: 1"), std::string_view("a\nb"),
                               std::string_view(with_nul)}) {
    BOOST_TEST(api->header_add(s, req, str("x-ok"), str(bad)) == WEFT_ERR_INVALID_ARGUMENT);
    BOOST_TEST(api->header_set(s, req, str("x-ok"), str(bad)) == WEFT_ERR_INVALID_ARGUMENT);
  }
  BOOST_TEST(api->header_add(s, req, str("x-ok"), weft_str{nullptr, 1}) ==
             WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(stream.request_headers.size() == 0u);

  BOOST_TEST(api->header_add(s, req, str(":AUTHORITY"), str("example.com")) == WEFT_OK);
  BOOST_TEST(api->header_add(s, req, str("x-Token_~!#$%&'*+-.^`|"), str("\tspaced value")) ==
             WEFT_OK);
}

BOOST_AUTO_TEST_CASE(bad_handles_enums_and_phases_fail_cleanly) {
  const weft_host_api* api = hostApi();
  FakeStream stream;
  weft_stream_host* s = stream.handle();
  weft_str value{};

  BOOST_TEST(api->header_add(nullptr, WEFT_MAP_REQUEST_HEADERS, str("a"), str("b")) ==
             WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->header_size(nullptr, WEFT_MAP_REQUEST_HEADERS) == 0u);
  BOOST_TEST(!api->header_get(nullptr, WEFT_MAP_REQUEST_HEADERS, str("a"), 0, &value));
  BOOST_TEST(!api->header_get(s, WEFT_MAP_REQUEST_HEADERS, str("a"), 0, nullptr));

  auto header_size_raw = reinterpret_cast<HeaderSizeRaw>(api->header_size);
  auto header_add_raw = reinterpret_cast<HeaderAddRaw>(api->header_add);
  stream.request_headers.add("a", "b");
  BOOST_TEST(header_size_raw(s, WEFT_MAP_REQUEST_HEADERS) == 1u);
  BOOST_TEST(header_size_raw(s, 9) == 0u);
  BOOST_TEST(header_size_raw(s, -1) == 0u);
  BOOST_TEST(header_add_raw(s, 4, str("a"), str("b")) == WEFT_ERR_INVALID_ARGUMENT);

  // Response headers do not exist yet; trailers never do in this fake.
  BOOST_TEST(api->header_add(s, WEFT_MAP_RESPONSE_HEADERS, str("a"), str("b")) ==
             WEFT_ERR_WRONG_PHASE);
  BOOST_TEST(api->header_remove(s, WEFT_MAP_REQUEST_TRAILERS, str("a")) == WEFT_ERR_WRONG_PHASE);
  BOOST_TEST(api->header_size(s, WEFT_MAP_RESPONSE_HEADERS) == 0u);
  BOOST_TEST(!api->header_get(s, WEFT_MAP_RESPONSE_HEADERS, str("a"), 0, &value));

  auto body_length_raw = reinterpret_cast<BodyLengthRaw>(api->body_length);
  BOOST_TEST(body_length_raw(s, 2) == 0u);
  BOOST_TEST(api->body_append(nullptr, WEFT_BODY_REQUEST, str("x")) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->body_append(s, WEFT_BODY_RESPONSE, str("x")) == WEFT_ERR_WRONG_PHASE);
  BOOST_TEST(api->body_drain(s, WEFT_BODY_RESPONSE, 1) == WEFT_ERR_WRONG_PHASE);
  BOOST_TEST(!api->body_slice(s, WEFT_BODY_REQUEST, 0, nullptr));

  auto info_str_raw = reinterpret_cast<InfoStrRaw>(api->stream_info_str);
  BOOST_TEST(!info_str_raw(s, 999, &value));
  BOOST_TEST(!api->stream_info_str(s, WEFT_INFO_PROTOCOL, nullptr));
  BOOST_TEST(api->stream_info_str(s, WEFT_INFO_PROTOCOL, &value));
  BOOST_TEST(text(value) == "HTTP/1.1");
  uint64_t number = 0;
  BOOST_TEST(api->stream_info_u64(s, WEFT_INFO_RESPONSE_CODE, &number));
  BOOST_TEST(number == 200u);
  BOOST_TEST(!api->stream_info_u64(nullptr, WEFT_INFO_RESPONSE_CODE, &number));

  BOOST_TEST(api->continue_request(nullptr) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->continue_request(s) == WEFT_OK);
  BOOST_TEST(api->continue_response(s) == WEFT_ERR_WRONG_PHASE);  // forwarded as is
  BOOST_TEST(api->timer_start(nullptr, 5) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->timer_cancel(s, 0) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->set_upstream_cluster(s, str("")) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->set_upstream_cluster(s, str("backend")) == WEFT_OK);
  BOOST_TEST(stream.cluster == "backend");
  BOOST_TEST(api->cluster_exists(s, str("backend")));
  BOOST_TEST(!api->cluster_exists(nullptr, str("backend")));
  BOOST_TEST(api->metadata_set(s, str(""), str("v")) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(!api->metadata_get(s, str("k"), nullptr));

  BOOST_TEST(api->stream_worker(s) == stream.worker_host.handle());
  BOOST_TEST(api->worker_index(api->stream_worker(s)) == 3u);
  BOOST_TEST(api->stream_worker(nullptr) == nullptr);
  BOOST_TEST(api->worker_index(nullptr) == 0u);

  auto log_raw = reinterpret_cast<LogRaw>(api->log);
  log_raw(42, str("a module logged with a bad level"));
  api->log(WEFT_LOG_DEBUG, weft_str{nullptr, 5});  // ignored, not dereferenced
}

BOOST_AUTO_TEST_CASE(local_replies_are_checked_then_forwarded) {
  const weft_host_api* api = hostApi();
  FakeStream stream;
  weft_stream_host* s = stream.handle();
  const weft_header good[] = {{str("x-a"), str("1")}};
  const weft_header bad_value[] = {{str("x-a"), str("1\r\nx-b: 2")}};
  const weft_header pseudo[] = {{str(":status"), str("200")}};

  BOOST_TEST(api->send_local_reply(nullptr, 403, str(""), good, 1, str("d")) ==
             WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->send_local_reply(s, 99, str(""), good, 1, str("d")) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->send_local_reply(s, 403, str(""), nullptr, 1, str("d")) ==
             WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->send_local_reply(s, 403, str(""), bad_value, 1, str("d")) ==
             WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->send_local_reply(s, 403, str(""), pseudo, 1, str("d")) ==
             WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(!stream.reply.has_value());

  BOOST_TEST(api->send_local_reply(s, 429, str("slow down"), nullptr, 0, str("rate")) == WEFT_OK);
  BOOST_REQUIRE(stream.reply.has_value());
  BOOST_TEST(stream.reply->status == 429u);
  BOOST_TEST(stream.reply->body == "slow down");
  BOOST_TEST(stream.reply->details == "rate");
}

BOOST_AUTO_TEST_CASE(body_slices_cover_the_body_and_edits_apply) {
  const weft_host_api* api = hostApi();
  FakeStream stream;
  weft_stream_host* s = stream.handle();
  evbuffer* body = stream.request_body.get();
  // Each reference is its own chain, so the body has three slices.
  static const char kParts[3][6] = {"hello", ", ", "world"};
  for (const char* part : kParts) {
    evbuffer_add_reference(body, part, std::strlen(part), nullptr, nullptr);
  }
  BOOST_TEST(api->body_length(s, WEFT_BODY_REQUEST) == 12u);
  BOOST_REQUIRE(api->body_slice_count(s, WEFT_BODY_REQUEST) == 3u);
  std::string joined;
  for (size_t i = 0; i < 3; ++i) {
    weft_str slice{};
    BOOST_REQUIRE(api->body_slice(s, WEFT_BODY_REQUEST, i, &slice));
    BOOST_TEST(text(slice) == kParts[i]);
    joined += text(slice);
  }
  BOOST_TEST(joined == "hello, world");
  weft_str past{};
  BOOST_TEST(!api->body_slice(s, WEFT_BODY_REQUEST, 3, &past));
  BOOST_TEST(!api->body_slice(s, WEFT_BODY_REQUEST, 40, &past));

  BOOST_TEST(api->body_drain(s, WEFT_BODY_REQUEST, 13) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->body_drain(s, WEFT_BODY_REQUEST, 7) == WEFT_OK);
  BOOST_TEST(api->body_append(s, WEFT_BODY_REQUEST, str("!")) == WEFT_OK);
  BOOST_TEST(api->body_append(s, WEFT_BODY_REQUEST, weft_str{nullptr, 2}) ==
             WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->body_length(s, WEFT_BODY_REQUEST) == 6u);
  std::string rest(evbuffer_get_length(body), '\0');
  evbuffer_copyout(body, rest.data(), rest.size());
  BOOST_TEST(rest == "world!");

  BOOST_TEST(api->body_drain(s, WEFT_BODY_REQUEST, 6) == WEFT_OK);
  BOOST_TEST(api->body_slice_count(s, WEFT_BODY_REQUEST) == 0u);
  BOOST_TEST(!api->body_slice(s, WEFT_BODY_REQUEST, 0, &past));

  stream.in_body_hook = false;
  BOOST_TEST(api->body_length(s, WEFT_BODY_REQUEST) == 0u);
  BOOST_TEST(api->body_slice_count(s, WEFT_BODY_REQUEST) == 0u);
}

BOOST_AUTO_TEST_CASE(metric_ids_update_the_store_and_survive_redefinition) {
  const weft_host_api* api = hostApi();
  ConfigHost config{"metrics-test", &testStore()};
  weft_config_host* c = config.handle();

  int64_t counter = api->define_counter(c, str("hits"));
  int64_t gauge = api->define_gauge(c, str("in_flight"));
  int64_t histogram = api->define_histogram(c, str("latency_ms"));
  BOOST_REQUIRE(counter >= 0);
  BOOST_REQUIRE(gauge >= 0);
  BOOST_REQUIRE(histogram >= 0);
  BOOST_TEST(counter != gauge);
  BOOST_TEST(api->define_counter(c, str("hits")) == counter);  // a reload gets the same id

  api->counter_add(counter, 2);
  api->counter_add(counter, 3);
  api->gauge_set(gauge, 10);
  api->gauge_add(gauge, -4);
  api->histogram_record(histogram, 12.5);
  // Wrong kinds and unknown ids are ignored.
  api->gauge_set(counter, 100);
  api->counter_add(gauge, 100);
  api->counter_add(-1, 1);
  api->counter_add(1 << 30, 1);

  const stats::Tags tags = {{"filter", "metrics-test"}};
  BOOST_TEST(testStore().counter("hits", tags).value() == 5u);
  BOOST_TEST(testStore().gauge("in_flight", tags).value() == 6);
  BOOST_TEST(testStore().histogram("latency_ms", tags).count() == 1u);

  BOOST_TEST(api->define_counter(nullptr, str("hits")) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->define_counter(c, str("")) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->define_counter(c, str("has space")) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->define_counter(c, weft_str{nullptr, 4}) == WEFT_ERR_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::plugins
