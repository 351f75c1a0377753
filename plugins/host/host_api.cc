// The host function table of weft/filter_abi.h: argument checking, then a call on HostStream,
// HeaderMap, evbuffer, stats::Store or the logger. Nothing here trusts a module: a NULL handle,
// an out-of-range enum, a NULL out pointer or a malformed header gives WEFT_ERR_INVALID_ARGUMENT
// (or false / 0 for the functions that return those), never a crash.
#include <event2/buffer.h>

#include <array>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/common/logging.h"
#include "core/http/header_map.h"
#include "core/stats/stats.h"
#include "plugins/host/filter_instance.h"
#include "plugins/host/host_stream.h"
#include "plugins/host/retry_policy_abi.h"

namespace weft::plugins {
namespace {

// ---- argument checks ---------------------------------------------------------------------------

// A C caller may pass any int where an enum is expected. Read the bits as an int so that checking
// them is never itself an out-of-range enum load. `last` is the enum's last enumerator: the enums
// are append-only, so when the header grows a minor, the checks here move to the new last one.
template <typename E>
bool enumAtMost(const E& value, int last) {
  static_assert(sizeof(E) == sizeof(int));
  int raw;
  std::memcpy(&raw, &value, sizeof raw);
  return raw >= 0 && raw <= last;
}

bool validMap(const weft_map& map) { return enumAtMost(map, WEFT_MAP_RESPONSE_TRAILERS); }
bool validBody(const weft_body& which) { return enumAtMost(which, WEFT_BODY_RESPONSE); }

// A weft_str is usable when it points somewhere or is empty.
bool validStr(weft_str s) { return s.ptr != nullptr || s.len == 0; }
std::string_view view(weft_str s) {
  return s.len == 0 ? std::string_view() : std::string_view(s.ptr, s.len);
}
weft_str toStr(std::string_view s) { return weft_str{s.data(), s.size()}; }

// RFC 9110 tchar.
bool isTokenChar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isPseudoHeader(std::string_view name) {
  for (std::string_view known : {":method", ":path", ":authority", ":scheme", ":status"}) {
    if (http::equalsIgnoreCase(name, known)) return true;
  }
  return false;
}

bool validHeaderName(weft_str s, bool allow_pseudo) {
  if (!validStr(s) || s.len == 0) return false;
  std::string_view name = view(s);
  if (name[0] == ':') return allow_pseudo && isPseudoHeader(name);
  for (char c : name) {
    if (!isTokenChar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool validHeaderValue(weft_str s) {
  if (!validStr(s)) return false;
  for (char c : view(s)) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// The stream's map: WEFT_OK with *out set, WEFT_ERR_INVALID_ARGUMENT for a bad stream or enum, or
// WEFT_ERR_WRONG_PHASE when the map does not exist in this phase.
int mapFor(weft_stream_host* stream, weft_map map, http::HeaderMap** out) {
  if (stream == nullptr || !validMap(map)) return WEFT_ERR_INVALID_ARGUMENT;
  *out = HostStream::from(stream)->headerMap(map);
  return *out != nullptr ? WEFT_OK : WEFT_ERR_WRONG_PHASE;
}

// The map, or nullptr for any failure: for the readers, which answer false / 0.
http::HeaderMap* readableMap(weft_stream_host* stream, weft_map map) {
  http::HeaderMap* headers = nullptr;
  return mapFor(stream, map, &headers) == WEFT_OK ? headers : nullptr;
}

// The body, or nullptr for a bad stream/enum or outside a body hook.
evbuffer* bodyFor(weft_stream_host* stream, weft_body which) {
  if (stream == nullptr || !validBody(which)) return nullptr;
  return HostStream::from(stream)->body(which);
}

// ---- logging -----------------------------------------------------------------------------------

void hostLog(weft_log_level level, weft_str message) {
  if (!validStr(message)) return;
  log::Level mapped =
      enumAtMost(level, WEFT_LOG_ERROR) ? static_cast<log::Level>(level) : log::Level::kError;
  if (log::enabled(mapped)) log::write(mapped, view(message));
}

// ---- metrics -----------------------------------------------------------------------------------

// Ids index a fixed array of slots, so an update is one acquire load and one relaxed atomic
// operation, with no lock. Slots are filled under a mutex and never change or go away; defining
// the same (store, kind, filter, name) again — e.g. on a config reload — returns the same id.
constexpr size_t kMaxMetrics = 65536;

struct MetricSlot {
  stats::Kind kind;
  stats::Counter* counter = nullptr;
  stats::Gauge* gauge = nullptr;
  stats::Histogram* histogram = nullptr;
};

// Constant-initialised and trivially destructible: safe to read from any thread until exit.
constinit std::array<std::atomic<const MetricSlot*>, kMaxMetrics> g_metric_slots{};

// What defining needs; leaked, so late updates from other threads never meet a destroyed table.
struct MetricDefinitions {
  std::mutex mutex;
  std::map<std::tuple<stats::Store*, stats::Kind, std::string, std::string>, int64_t> ids;
  std::vector<std::unique_ptr<MetricSlot>> slots;  // slots[id] backs g_metric_slots[id]
};

MetricDefinitions& definitions() {
  static auto* defs = new MetricDefinitions();
  return *defs;
}

std::atomic<stats::Store*> g_default_store{nullptr};

bool validMetricName(weft_str s) {
  if (!validStr(s) || s.len == 0) return false;
  for (char c : view(s)) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int64_t defineMetric(weft_config_host* config, weft_str name, stats::Kind kind) {
  if (config == nullptr || !validMetricName(name)) return WEFT_ERR_INVALID_ARGUMENT;
  ConfigHost* host = ConfigHost::from(config);
  stats::Store* store = host->stats != nullptr ? host->stats : g_default_store.load();
  if (store == nullptr) return WEFT_ERR_WRONG_PHASE;

  MetricDefinitions& defs = definitions();
  std::lock_guard lock(defs.mutex);
  auto key = std::make_tuple(store, kind, host->filter_name, std::string(view(name)));
  if (auto it = defs.ids.find(key); it != defs.ids.end()) return it->second;
  if (defs.slots.size() >= kMaxMetrics) return WEFT_ERR_LIMIT;

  auto slot = std::make_unique<MetricSlot>();
  slot->kind = kind;
  const stats::Tags tags = {{"filter", host->filter_name}};
  switch (kind) {
    case stats::Kind::kCounter:
      slot->counter = &store->counter(view(name), tags);
      break;
    case stats::Kind::kGauge:
      slot->gauge = &store->gauge(view(name), tags);
      break;
    case stats::Kind::kHistogram:
      slot->histogram = &store->histogram(view(name), tags);
      break;
  }
  const size_t id = defs.slots.size();
  defs.slots.push_back(std::move(slot));
  defs.ids.emplace(std::move(key), static_cast<int64_t>(id));
  g_metric_slots[id].store(defs.slots.back().get(), std::memory_order_release);
  return static_cast<int64_t>(id);
}

// The slot behind `id` if it holds a metric of `kind`; lock-free.
const MetricSlot* metricSlot(int64_t id, stats::Kind kind) {
  if (id < 0 || static_cast<uint64_t>(id) >= kMaxMetrics) return nullptr;
  const MetricSlot* slot = g_metric_slots[id].load(std::memory_order_acquire);
  return slot != nullptr && slot->kind == kind ? slot : nullptr;
}

int64_t defineCounter(weft_config_host* c, weft_str n) {
  return defineMetric(c, n, stats::Kind::kCounter);
}
int64_t defineGauge(weft_config_host* c, weft_str n) {
  return defineMetric(c, n, stats::Kind::kGauge);
}
int64_t defineHistogram(weft_config_host* c, weft_str n) {
  return defineMetric(c, n, stats::Kind::kHistogram);
}

void counterAdd(int64_t id, uint64_t delta) {
  if (const MetricSlot* slot = metricSlot(id, stats::Kind::kCounter)) slot->counter->inc(delta);
}
void gaugeSet(int64_t id, int64_t value) {
  if (const MetricSlot* slot = metricSlot(id, stats::Kind::kGauge)) slot->gauge->set(value);
}
void gaugeAdd(int64_t id, int64_t delta) {
  if (const MetricSlot* slot = metricSlot(id, stats::Kind::kGauge)) slot->gauge->add(delta);
}
void histogramRecord(int64_t id, double value) {
  if (const MetricSlot* slot = metricSlot(id, stats::Kind::kHistogram)) {
    slot->histogram->record(value);
  }
}

// ---- headers -----------------------------------------------------------------------------------

size_t headerSize(weft_stream_host* stream, weft_map map) {
  http::HeaderMap* headers = readableMap(stream, map);
  return headers != nullptr ? headers->size() : 0;
}

bool headerAt(weft_stream_host* stream, weft_map map, size_t index, weft_str* name,
              weft_str* value) {
  http::HeaderMap* headers = readableMap(stream, map);
  if (headers == nullptr || name == nullptr || value == nullptr || index >= headers->size()) {
    return false;
  }
  const http::HeaderEntry& entry = headers->at(index);
  *name = toStr(entry.name);
  *value = toStr(entry.value);
  return true;
}

size_t headerCount(weft_stream_host* stream, weft_map map, weft_str name) {
  http::HeaderMap* headers = readableMap(stream, map);
  return headers != nullptr && validStr(name) ? headers->count(view(name)) : 0;
}

bool headerGet(weft_stream_host* stream, weft_map map, weft_str name, size_t index,
               weft_str* value) {
  http::HeaderMap* headers = readableMap(stream, map);
  if (headers == nullptr || value == nullptr || !validStr(name)) return false;
  const std::string* found = headers->get(view(name), index);
  if (found == nullptr) return false;
  *value = toStr(*found);
  return true;
}

// Writers check the name (and value) before the phase: a malformed field is a bug in any phase.
int headerAdd(weft_stream_host* stream, weft_map map, weft_str name, weft_str value) {
  if (!validHeaderName(name, true) || !validHeaderValue(value)) return WEFT_ERR_INVALID_ARGUMENT;
  http::HeaderMap* headers = nullptr;
  if (int rc = mapFor(stream, map, &headers); rc != WEFT_OK) return rc;
  headers->add(view(name), view(value));
  return WEFT_OK;
}

int headerSet(weft_stream_host* stream, weft_map map, weft_str name, weft_str value) {
  if (!validHeaderName(name, true) || !validHeaderValue(value)) return WEFT_ERR_INVALID_ARGUMENT;
  http::HeaderMap* headers = nullptr;
  if (int rc = mapFor(stream, map, &headers); rc != WEFT_OK) return rc;
  headers->set(view(name), view(value));
  return WEFT_OK;
}

int headerRemove(weft_stream_host* stream, weft_map map, weft_str name) {
  if (!validHeaderName(name, true)) return WEFT_ERR_INVALID_ARGUMENT;
  http::HeaderMap* headers = nullptr;
  if (int rc = mapFor(stream, map, &headers); rc != WEFT_OK) return rc;
  headers->remove(view(name));  // removing an absent field is not an error
  return WEFT_OK;
}

// ---- body --------------------------------------------------------------------------------------

size_t bodyLength(weft_stream_host* stream, weft_body which) {
  evbuffer* body = bodyFor(stream, which);
  return body != nullptr ? evbuffer_get_length(body) : 0;
}

// Peeking exactly the buffered length (not -1) keeps empty trailing chains out of the slices.
size_t bodySliceCount(weft_stream_host* stream, weft_body which) {
  evbuffer* body = bodyFor(stream, which);
  if (body == nullptr) return 0;
  auto length = static_cast<ev_ssize_t>(evbuffer_get_length(body));
  return length == 0 ? 0 : static_cast<size_t>(evbuffer_peek(body, length, nullptr, nullptr, 0));
}

bool bodySlice(weft_stream_host* stream, weft_body which, size_t index, weft_str* out) {
  evbuffer* body = bodyFor(stream, which);
  if (body == nullptr || out == nullptr) return false;
  auto length = static_cast<ev_ssize_t>(evbuffer_get_length(body));
  if (length == 0 || index >= static_cast<size_t>(INT32_MAX)) return false;

  constexpr size_t kStackSlices = 16;
  std::array<evbuffer_iovec, kStackSlices> on_stack;
  std::vector<evbuffer_iovec> on_heap;
  evbuffer_iovec* slices = on_stack.data();
  if (index >= kStackSlices) {
    on_heap.resize(index + 1);
    slices = on_heap.data();
  }
  int wanted = static_cast<int>(index + 1);
  int count = evbuffer_peek(body, length, nullptr, slices, wanted);
  if (count < wanted) return false;
  *out = weft_str{static_cast<const char*>(slices[index].iov_base), slices[index].iov_len};
  return true;
}

int bodyAppend(weft_stream_host* stream, weft_body which, weft_str data) {
  if (stream == nullptr || !validBody(which) || !validStr(data)) return WEFT_ERR_INVALID_ARGUMENT;
  evbuffer* body = bodyFor(stream, which);
  if (body == nullptr) return WEFT_ERR_WRONG_PHASE;
  return evbuffer_add(body, data.ptr, data.len) == 0 ? WEFT_OK : WEFT_ERR_LIMIT;
}

int bodyDrain(weft_stream_host* stream, weft_body which, size_t length) {
  if (stream == nullptr || !validBody(which)) return WEFT_ERR_INVALID_ARGUMENT;
  evbuffer* body = bodyFor(stream, which);
  if (body == nullptr) return WEFT_ERR_WRONG_PHASE;
  if (length > evbuffer_get_length(body)) return WEFT_ERR_INVALID_ARGUMENT;
  return evbuffer_drain(body, length) == 0 ? WEFT_OK : WEFT_ERR_INVALID_ARGUMENT;
}

// ---- replies, resumption, timers ---------------------------------------------------------------

int sendLocalReply(weft_stream_host* stream, uint32_t status, weft_str body,
                   const weft_header* headers, size_t header_count, weft_str details) {
  if (stream == nullptr || status < 200 || status > 599 || !validStr(body) || !validStr(details) ||
      (headers == nullptr && header_count != 0)) {
    return WEFT_ERR_INVALID_ARGUMENT;
  }
  for (size_t i = 0; i < header_count; ++i) {
    if (!validHeaderName(headers[i].name, false) || !validHeaderValue(headers[i].value)) {
      return WEFT_ERR_INVALID_ARGUMENT;
    }
  }
  return HostStream::from(stream)->sendLocalReply(status, view(body), headers, header_count,
                                                  view(details));
}

int continueRequest(weft_stream_host* stream) {
  return stream != nullptr ? HostStream::from(stream)->continueRequest()
                           : WEFT_ERR_INVALID_ARGUMENT;
}

int continueResponse(weft_stream_host* stream) {
  return stream != nullptr ? HostStream::from(stream)->continueResponse()
                           : WEFT_ERR_INVALID_ARGUMENT;
}

int64_t timerStart(weft_stream_host* stream, uint64_t delay_ms) {
  return stream != nullptr ? HostStream::from(stream)->timerStart(delay_ms)
                           : WEFT_ERR_INVALID_ARGUMENT;
}

int timerCancel(weft_stream_host* stream, int64_t token) {
  if (stream == nullptr || token <= 0) return WEFT_ERR_INVALID_ARGUMENT;
  return HostStream::from(stream)->timerCancel(token);
}

int streamReset(weft_stream_host* stream) {
  return stream != nullptr ? HostStream::from(stream)->reset() : WEFT_ERR_INVALID_ARGUMENT;
}

// ---- routing, stream facts, metadata, workers --------------------------------------------------

int setUpstreamCluster(weft_stream_host* stream, weft_str cluster) {
  if (stream == nullptr || !validStr(cluster) || cluster.len == 0) {
    return WEFT_ERR_INVALID_ARGUMENT;
  }
  return HostStream::from(stream)->setUpstreamCluster(view(cluster));
}

int setRouteName(weft_stream_host* stream, weft_str route) {
  if (stream == nullptr || !validStr(route)) return WEFT_ERR_INVALID_ARGUMENT;
  return HostStream::from(stream)->setRouteName(view(route));
}

bool clusterExists(weft_stream_host* stream, weft_str cluster) {
  if (stream == nullptr || !validStr(cluster) || cluster.len == 0) return false;
  return HostStream::from(stream)->clusterExists(view(cluster));
}

bool streamInfoStr(weft_stream_host* stream, weft_info_str key, weft_str* out) {
  if (stream == nullptr || out == nullptr || !enumAtMost(key, WEFT_INFO_REQUESTED_SERVER_NAME)) {
    return false;
  }
  std::string_view value;
  if (!HostStream::from(stream)->infoString(key, value)) return false;
  *out = toStr(value);
  return true;
}

bool streamInfoU64(weft_stream_host* stream, weft_info_u64 key, uint64_t* out) {
  if (stream == nullptr || out == nullptr || !enumAtMost(key, WEFT_INFO_WORKER_INDEX)) {
    return false;
  }
  return HostStream::from(stream)->infoNumber(key, *out);
}

int metadataSet(weft_stream_host* stream, weft_str key, weft_str value) {
  if (stream == nullptr || !validStr(key) || key.len == 0 || !validStr(value)) {
    return WEFT_ERR_INVALID_ARGUMENT;
  }
  return HostStream::from(stream)->metadataSet(view(key), view(value));
}

bool metadataGet(weft_stream_host* stream, weft_str key, weft_str* value) {
  if (stream == nullptr || value == nullptr || !validStr(key)) return false;
  std::string_view found;
  if (!HostStream::from(stream)->metadataGet(view(key), found)) return false;
  *value = toStr(found);
  return true;
}

weft_worker_host* streamWorker(weft_stream_host* stream) {
  return stream != nullptr ? HostStream::from(stream)->worker() : nullptr;
}

uint32_t workerIndex(weft_worker_host* worker) {
  return worker != nullptr ? HostWorker::from(worker)->index : 0;
}

uint32_t workerCount(weft_worker_host* worker) {
  return worker != nullptr ? HostWorker::from(worker)->count : 0;
}

// ---- 1.2: response flags, HTTP calls, the upstream timeout -------------------------------------

int streamAddResponseFlag(weft_stream_host* stream, weft_str flag) {
  if (stream == nullptr || !validStr(flag) || flag.len == 0 || flag.len > 8) {
    return WEFT_ERR_INVALID_ARGUMENT;
  }
  for (size_t i = 0; i < flag.len; ++i) {
    if (flag.ptr[i] < 'A' || flag.ptr[i] > 'Z') return WEFT_ERR_INVALID_ARGUMENT;
  }
  return HostStream::from(stream)->addResponseFlag(view(flag));
}

int64_t httpCall(weft_stream_host* stream, weft_str cluster, const weft_header* headers,
                 size_t header_count, weft_str body, uint64_t timeout_ms,
                 uint64_t max_response_bytes) {
  if (stream == nullptr || !validStr(cluster) || cluster.len == 0 || !validStr(body) ||
      (headers == nullptr && header_count > 0)) {
    return WEFT_ERR_INVALID_ARGUMENT;
  }
  for (size_t i = 0; i < header_count; ++i) {
    if (!validHeaderName(headers[i].name, true) || !validHeaderValue(headers[i].value)) {
      return WEFT_ERR_INVALID_ARGUMENT;
    }
  }
  return HostStream::from(stream)->httpCall(view(cluster), headers, header_count, view(body),
                                            timeout_ms, max_response_bytes);
}

int httpCallCancel(weft_stream_host* stream, int64_t token) {
  if (stream == nullptr || token <= 0) return WEFT_ERR_INVALID_ARGUMENT;
  return HostStream::from(stream)->httpCallCancel(token);
}

int64_t workerTimerStart(weft_config_host* config, weft_worker_host* worker, uint64_t delay_ms) {
  if (config == nullptr || worker == nullptr) return WEFT_ERR_INVALID_ARGUMENT;
  FilterInstance* instance = ConfigHost::from(config)->instance;
  return instance ? instance->startWorkerTimer(worker, delay_ms) : WEFT_ERR_UNSUPPORTED;
}

int workerTimerCancel(weft_config_host* config, weft_worker_host* worker, int64_t token) {
  if (config == nullptr || worker == nullptr || token <= 0) return WEFT_ERR_INVALID_ARGUMENT;
  FilterInstance* instance = ConfigHost::from(config)->instance;
  return instance ? instance->cancelWorkerTimer(worker, token) : WEFT_ERR_UNSUPPORTED;
}

int setUpstreamTimeout(weft_stream_host* stream, uint64_t timeout_ms) {
  return stream != nullptr ? HostStream::from(stream)->setUpstreamTimeout(timeout_ms)
                           : WEFT_ERR_INVALID_ARGUMENT;
}

// ---- 1.3: retries and request mirrors ----------------------------------------------------------

int setRetryPolicy(weft_stream_host* stream, const weft_retry_policy* policy) {
  if (stream == nullptr) return WEFT_ERR_INVALID_ARGUMENT;
  std::optional<http::RetryPolicy> checked = retryPolicyFromAbi(policy);
  if (!checked) return WEFT_ERR_INVALID_ARGUMENT;
  return HostStream::from(stream)->setRetryPolicy(*checked);
}

bool routeMetadataGet(weft_stream_host* stream, weft_str filter, weft_str key, weft_str* value) {
  if (stream == nullptr || value == nullptr || !validStr(filter) || !validStr(key)) return false;
  std::string_view found;
  if (!HostStream::from(stream)->routeMetadataGet(view(filter), view(key), found)) return false;
  *value = toStr(found);
  return true;
}

int addRequestMirror(weft_stream_host* stream, weft_str cluster) {
  if (stream == nullptr || !validStr(cluster) || cluster.len == 0) {
    return WEFT_ERR_INVALID_ARGUMENT;
  }
  return HostStream::from(stream)->addRequestMirror(view(cluster));
}

// ---- 1.5: finishing in a callback -----------------------------------------------------------

int streamBufferBody(weft_stream_host* stream, weft_body which) {
  if (stream == nullptr || (which != WEFT_BODY_REQUEST && which != WEFT_BODY_RESPONSE)) {
    return WEFT_ERR_INVALID_ARGUMENT;
  }
  return HostStream::from(stream)->bufferHeldBody(which == WEFT_BODY_REQUEST);
}

int streamFail(weft_stream_host* stream, weft_str reason) {
  if (stream == nullptr || !validStr(reason)) return WEFT_ERR_INVALID_ARGUMENT;
  return HostStream::from(stream)->failFromCallback(view(reason));
}

weft_str configFilterName(weft_config_host* config) {
  if (config == nullptr) return weft_str{"", 0};
  return toStr(ConfigHost::from(config)->filter_name);
}

bool routeMetadataJson(weft_stream_host* stream, weft_str filter, weft_str* json) {
  if (stream == nullptr || json == nullptr || !validStr(filter)) return false;
  std::string_view found;
  if (!HostStream::from(stream)->routeMetadataJson(view(filter), found)) return false;
  *json = toStr(found);
  return true;
}

constexpr weft_host_api kHostApi = {
    .struct_size = sizeof(weft_host_api),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .log = hostLog,
    .define_counter = defineCounter,
    .define_gauge = defineGauge,
    .define_histogram = defineHistogram,
    .counter_add = counterAdd,
    .gauge_set = gaugeSet,
    .gauge_add = gaugeAdd,
    .histogram_record = histogramRecord,
    .header_size = headerSize,
    .header_at = headerAt,
    .header_count = headerCount,
    .header_get = headerGet,
    .header_add = headerAdd,
    .header_set = headerSet,
    .header_remove = headerRemove,
    .body_length = bodyLength,
    .body_slice_count = bodySliceCount,
    .body_slice = bodySlice,
    .body_append = bodyAppend,
    .body_drain = bodyDrain,
    .send_local_reply = sendLocalReply,
    .continue_request = continueRequest,
    .continue_response = continueResponse,
    .timer_start = timerStart,
    .timer_cancel = timerCancel,
    .set_upstream_cluster = setUpstreamCluster,
    .set_route_name = setRouteName,
    .cluster_exists = clusterExists,
    .stream_info_str = streamInfoStr,
    .stream_info_u64 = streamInfoU64,
    .metadata_set = metadataSet,
    .metadata_get = metadataGet,
    .stream_worker = streamWorker,
    .worker_index = workerIndex,
    .stream_reset = streamReset,
    .stream_add_response_flag = streamAddResponseFlag,
    .worker_count = workerCount,
    .http_call = httpCall,
    .http_call_cancel = httpCallCancel,
    .set_upstream_timeout = setUpstreamTimeout,
    .worker_timer_start = workerTimerStart,
    .worker_timer_cancel = workerTimerCancel,
    .set_retry_policy = setRetryPolicy,
    .add_request_mirror = addRequestMirror,
    .route_metadata_get = routeMetadataGet,
    .stream_buffer_body = streamBufferBody,
    .stream_fail = streamFail,
    .config_filter_name = configFilterName,
    .route_metadata_json = routeMetadataJson,
};

}  // namespace

const weft_host_api* hostApi() { return &kHostApi; }

void setHostStatsStore(stats::Store* store) { g_default_store.store(store); }

}  // namespace weft::plugins
