// The Lua filter's unit-test helpers: see lua_test_support.h.
#include "tests/unit/plugins/lua_test_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/common/json.h"
#include "plugins/host/module_registry.h"
#include "plugins/lua/lua_config.h"
#include "plugins/lua/lua_filter.h"

namespace weft::lua::testing {
namespace {

std::string text(weft_str s) { return std::string(s.ptr, s.len); }

// A failed Result's message (Boost evaluates a message even when the check passes).
template <typename T>
std::string why(const Result<T>& result) {
  return result.isOk() ? std::string() : result.status().message();
}

std::string drainText(evbuffer* buffer) {
  std::string out(evbuffer_get_length(buffer), '\0');
  evbuffer_copyout(buffer, out.data(), out.size());
  return out;
}

const plugins::LoadedModule& luaModule() {
  static plugins::ModuleRegistry* registry = [] {
    auto* r = new plugins::ModuleRegistry();  // lives as long as the process, like the proxy's
    r->registerBuiltin("lua", &weft_lua_module_init);
    return r;
  }();
  auto module = registry->builtin("lua");
  BOOST_REQUIRE_MESSAGE(module.isOk(), why(module));
  return **module;
}

std::string nextFilterName() {
  static std::atomic<int> next{0};
  return "lua" + std::to_string(++next);
}

config::FilterConfig entryFor(const std::string& json, const std::string& name) {
  config::FilterConfig entry;
  entry.name = name;
  entry.builtin = "lua";
  entry.config_json = json;
  entry.location = "test.yaml:1";
  return entry;
}

}  // namespace

stats::Store& testStore() {
  static auto* store = new stats::Store();
  return *store;
}

// ---- FakeStream -------------------------------------------------------------------------------

std::string FakeStream::requestBodyText() const { return drainText(request_body.get()); }
std::string FakeStream::responseBodyText() const { return drainText(response_body.get()); }

http::HeaderMap* FakeStream::headerMap(weft_map map) {
  switch (map) {
    case WEFT_MAP_REQUEST_HEADERS:
      return &request_headers;
    case WEFT_MAP_REQUEST_TRAILERS:
      return &request_trailers;
    case WEFT_MAP_RESPONSE_HEADERS:
      return responding ? &response_headers : nullptr;
    case WEFT_MAP_RESPONSE_TRAILERS:
      return responding ? &response_trailers : nullptr;
  }
  return nullptr;
}

evbuffer* FakeStream::body(weft_body which) {
  if (which == WEFT_BODY_REQUEST) return in_request_body ? request_body.get() : nullptr;
  return in_response_body ? response_body.get() : nullptr;
}

int FakeStream::sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                               size_t header_count, std::string_view details) {
  if (response_started || reply) return WEFT_ERR_WRONG_PHASE;
  Reply r{status, std::string(body), {}, std::string(details)};
  for (size_t i = 0; i < header_count; ++i) {
    r.headers.emplace_back(text(headers[i].name), text(headers[i].value));
  }
  reply = std::move(r);
  return WEFT_OK;
}

int FakeStream::continueRequest() {
  ++continued_requests;
  return WEFT_OK;
}

int FakeStream::continueResponse() {
  ++continued_responses;
  return WEFT_OK;
}

int FakeStream::reset() {
  ++resets;
  return WEFT_OK;
}

int FakeStream::bufferHeldBody(bool request) {
  buffer_requests.push_back(request ? WEFT_BODY_REQUEST : WEFT_BODY_RESPONSE);
  return WEFT_OK;
}

int FakeStream::failFromCallback(std::string_view reason) {
  failures.emplace_back(reason);
  return WEFT_OK;
}

int64_t FakeStream::timerStart(uint64_t delay_ms) {
  timer_delays.push_back(delay_ms);
  return static_cast<int64_t>(timer_delays.size());
}

int FakeStream::timerCancel(int64_t) { return WEFT_OK; }

bool FakeStream::infoString(weft_info_str key, std::string_view& out) {
  auto it = info.find(key);
  if (it == info.end()) return false;
  out = it->second;
  return true;
}

bool FakeStream::infoNumber(weft_info_u64 key, uint64_t& out) {
  auto it = numbers.find(key);
  if (it == numbers.end()) return false;
  out = it->second;
  return true;
}

int FakeStream::metadataSet(std::string_view key, std::string_view value) {
  metadata[std::string(key)] = std::string(value);
  return WEFT_OK;
}

bool FakeStream::metadataGet(std::string_view key, std::string_view& value) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return false;
  value = it->second;
  return true;
}

int64_t FakeStream::httpCall(std::string_view cluster, const weft_header* headers,
                             size_t header_count, std::string_view body, uint64_t timeout_ms,
                             uint64_t /*max_response_bytes*/) {
  Call call{std::string(cluster), {}, std::string(body), timeout_ms};
  for (size_t i = 0; i < header_count; ++i) {
    call.headers.emplace_back(text(headers[i].name), text(headers[i].value));
  }
  http_calls.push_back(std::move(call));
  return static_cast<int64_t>(500 + http_calls.size());
}

// ---- LuaFilter --------------------------------------------------------------------------------

Result<plugins::FilterInstancePtr> LuaFilter::load(const std::string& json) {
  return plugins::FilterInstance::create(luaModule(), entryFor(json, nextFilterName()), testStore(),
                                         kWorkers);
}

LuaFilter::LuaFilter(const std::string& json)
    : module_(luaModule().table), name_(nextFilterName()) {
  auto instance =
      plugins::FilterInstance::create(luaModule(), entryFor(json, name_), testStore(), kWorkers);
  BOOST_REQUIRE_MESSAGE(instance.isOk(), why(instance));
  instance_ = *instance;
  for (uint32_t i = 0; i < kWorkers; ++i) workers_[i] = plugins::HostWorker{i, kWorkers};
}

LuaFilter::LuaFilter(const std::string& json, std::shared_ptr<HttpCallClient> http_calls)
    : module_(luaModule().table), name_(nextFilterName()) {
  config_host_ = std::make_unique<plugins::ConfigHost>();
  config_host_->filter_name = name_;
  config_host_->stats = &testStore();
  auto config =
      LuaConfig::create(plugins::hostApi(), config_host_->handle(), json, std::move(http_calls));
  BOOST_REQUIRE_MESSAGE(config.isOk(), why(config));
  direct_config_ = config->release();
  for (uint32_t i = 0; i < kWorkers; ++i) workers_[i] = plugins::HostWorker{i, kWorkers};
}

LuaFilter::~LuaFilter() {
  for (uint32_t i = 0; i < kWorkers; ++i) {
    if (!started_[i]) continue;
    if (instance_) {
      instance_->stopWorker(i);
    } else {
      module_->worker_stop(direct_config_, worker_states_[i]);
    }
  }
  if (direct_config_ != nullptr) module_->config_destroy(direct_config_);
}

void* LuaFilter::config() const { return instance_ ? instance_->moduleConfig() : direct_config_; }

void* LuaFilter::workerState(uint32_t index) {
  BOOST_REQUIRE(index < kWorkers);
  if (!started_[index]) {
    started_[index] = true;
    worker_states_[index] = instance_
                                ? instance_->workerState(index, workers_[index].handle())
                                : module_->worker_start(direct_config_, workers_[index].handle());
  }
  return worker_states_[index];
}

void LuaFilter::setEventBase(event_base* base) {
  for (plugins::HostWorker& worker : workers_) worker.base = base;
}

uint64_t LuaFilter::counter(std::string_view stat) const {
  return testStore().counter(stat, {{"filter", name_}}).value();
}

// ---- Exchange ---------------------------------------------------------------------------------

Exchange::Exchange(LuaFilter& filter, uint32_t worker) : m_(filter.module()), stream_(worker) {
  ctx_ = m_.stream_new(filter.config(), filter.workerState(worker), stream_.handle());
}

Exchange::~Exchange() {
  if (!completed_) complete();
  m_.stream_destroy(ctx_);
}

weft_status Exchange::requestHeaders(bool end_stream, std::string_view path,
                                     std::vector<std::pair<std::string, std::string>> extra) {
  stream_.request_headers.add(":method", "GET");
  stream_.request_headers.add(":path", path);
  stream_.request_headers.add(":authority", "example.com");
  stream_.request_headers.add(":scheme", "http");
  for (const auto& [name, value] : extra) stream_.request_headers.add(name, value);
  return m_.on_request_headers(ctx_, stream_.handle(), end_stream);
}

weft_status Exchange::body(bool request, std::string_view data, bool end_stream) {
  evbuffer* buffer = request ? stream_.request_body.get() : stream_.response_body.get();
  evbuffer_drain(buffer, evbuffer_get_length(buffer));
  evbuffer_add(buffer, data.data(), data.size());
  bool& in_hook = request ? stream_.in_request_body : stream_.in_response_body;
  in_hook = true;
  auto hook = request ? m_.on_request_body : m_.on_response_body;
  const weft_status status = hook(ctx_, stream_.handle(), end_stream);
  in_hook = false;
  return status;
}

weft_status Exchange::requestBody(std::string_view data, bool end_stream) {
  return body(true, data, end_stream);
}

weft_status Exchange::requestTrailers() { return m_.on_request_trailers(ctx_, stream_.handle()); }

weft_status Exchange::responseHeaders(bool end_stream, int status,
                                      std::vector<std::pair<std::string, std::string>> extra) {
  stream_.responding = true;
  stream_.response_headers.add(":status", std::to_string(status));
  for (const auto& [name, value] : extra) stream_.response_headers.add(name, value);
  return m_.on_response_headers(ctx_, stream_.handle(), end_stream);
}

weft_status Exchange::responseBody(std::string_view data, bool end_stream) {
  return body(false, data, end_stream);
}

weft_status Exchange::responseTrailers() { return m_.on_response_trailers(ctx_, stream_.handle()); }

void Exchange::fireTimer(int64_t token) {
  if (token == 0) token = static_cast<int64_t>(stream_.timer_delays.size());
  m_.on_timer(ctx_, stream_.handle(), token);
}

void Exchange::httpCallDone(int64_t token, const weft_http_call_result& result) {
  m_.on_http_call_done(ctx_, stream_.handle(), token, &result);
}

void Exchange::complete() {
  completed_ = true;
  m_.on_stream_complete(ctx_, stream_.handle());
}

std::optional<std::string> Exchange::requestHeader(std::string_view name) const {
  const std::string* value = stream_.request_headers.get(name);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

std::optional<std::string> Exchange::responseHeader(std::string_view name) const {
  const std::string* value = stream_.response_headers.get(name);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

// ---- CapturedLog ------------------------------------------------------------------------------

CapturedLog::CapturedLog() {
  char path[] = "/tmp/weft-lua-log-XXXXXX";
  const int fd = ::mkstemp(path);
  BOOST_REQUIRE(fd >= 0);
  path_ = path;
  saved_fd_ = ::dup(STDERR_FILENO);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

CapturedLog::~CapturedLog() {
  ::dup2(saved_fd_, STDERR_FILENO);
  ::close(saved_fd_);
  ::unlink(path_.c_str());
}

std::string CapturedLog::text() const {
  std::ifstream in(path_);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string inlineConfig(std::string_view script, std::string_view extra) {
  std::string json = "{\"source\": " + json::quoted(script);
  if (!extra.empty()) json += ", " + std::string(extra);
  return json + "}";
}

}  // namespace weft::lua::testing
