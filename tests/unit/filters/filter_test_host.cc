// TestStream, StreamRun and FilterHarness: see filter_test_host.h.
#include "tests/unit/filters/filter_test_host.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>

namespace weft::testing {

std::optional<std::string> TestStream::Reply::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

http::HeaderMap* TestStream::headerMap(weft_map map) {
  switch (map) {
    case WEFT_MAP_REQUEST_HEADERS:
      return &request;
    case WEFT_MAP_RESPONSE_HEADERS:
      return response_exists ? &response : nullptr;
    default:
      return nullptr;
  }
}

int TestStream::sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                               size_t count, std::string_view details) {
  if (reply) return WEFT_ERR_WRONG_PHASE;
  reply = Reply{status, std::string(body), {}, std::string(details)};
  for (size_t i = 0; i < count; ++i) {
    reply->headers.emplace_back(std::string(headers[i].name.ptr, headers[i].name.len),
                                std::string(headers[i].value.ptr, headers[i].value.len));
  }
  return WEFT_OK;
}

int TestStream::continueRequest() {
  ++continues;
  return WEFT_OK;
}

int64_t TestStream::timerStart(uint64_t delay_ms) {
  timers.push_back({next_token_, delay_ms});
  return next_token_++;
}

int TestStream::timerCancel(int64_t token) {
  return std::erase_if(timers, [&](const Timer& t) { return t.token == token; }) > 0
             ? WEFT_OK
             : WEFT_ERR_NOT_FOUND;
}

int TestStream::setUpstreamCluster(std::string_view c) {
  cluster = c;
  return WEFT_OK;
}

int TestStream::setRouteName(std::string_view r) {
  route = r;
  return WEFT_OK;
}

bool TestStream::infoString(weft_info_str key, std::string_view& out) {
  if (key != WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS) return false;
  out = local_address;
  return true;
}

int TestStream::addResponseFlag(std::string_view flag) {
  if (!response_flags.empty()) response_flags += ",";
  response_flags += flag;
  return WEFT_OK;
}

int TestStream::setUpstreamTimeout(uint64_t timeout_ms) {
  upstream_timeout_ms = timeout_ms;
  return WEFT_OK;
}

int TestStream::setRetryPolicy(const http::RetryPolicy& policy) {
  if (before_abi_1_3) return HostStream::setRetryPolicy(policy);
  retry_policy = policy;
  return WEFT_OK;
}

int TestStream::addRequestMirror(std::string_view cluster) {
  if (before_abi_1_3) return HostStream::addRequestMirror(cluster);
  mirrors.emplace_back(cluster);
  return WEFT_OK;
}

int TestStream::metadataSet(std::string_view key, std::string_view value) {
  metadata[std::string(key)] = value;
  return WEFT_OK;
}

bool TestStream::metadataGet(std::string_view key, std::string_view& value) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return false;
  value = it->second;
  return true;
}

std::string TestStream::requestHeader(std::string_view name) const {
  const std::string* value = request.get(name);
  return value ? *value : "";
}

std::string TestStream::responseHeader(std::string_view name) const {
  const std::string* value = response.get(name);
  return value ? *value : "";
}

// ---------------------------------------------------------------------------------------------

StreamRun::StreamRun(const FilterHarness& harness, const Fields& request)
    : module_(harness.module()) {
  for (const auto& [name, value] : request) stream_.request.add(name, value);
  ctx_ = module_.stream_new(harness.config(), nullptr, stream_.handle());
  BOOST_REQUIRE(ctx_ != nullptr);
}

StreamRun::~StreamRun() { module_.stream_destroy(ctx_); }

weft_status StreamRun::requestHeaders(bool end_stream) {
  return module_.on_request_headers(ctx_, stream_.handle(), end_stream);
}

weft_status StreamRun::responseHeaders(const Fields& response, bool end_stream) {
  stream_.response.clear();
  for (const auto& [name, value] : response) stream_.response.add(name, value);
  stream_.response_exists = true;
  return module_.on_response_headers(ctx_, stream_.handle(), end_stream);
}

void StreamRun::fireTimer() {
  BOOST_REQUIRE(!stream_.timers.empty());
  const int64_t token = stream_.timers.front().token;
  stream_.timers.erase(stream_.timers.begin());
  module_.on_timer(ctx_, stream_.handle(), token);
}

// ---------------------------------------------------------------------------------------------

namespace {

std::string uniqueFilterName(const weft_filter_module* module) {
  static int sequence = 0;
  return std::string(module != nullptr ? module->name : "?") + "-" + std::to_string(++sequence);
}

}  // namespace

FilterHarness::FilterHarness(InitFn init, std::string_view json)
    : module_(init(plugins::hostApi())), config_host_{uniqueFilterName(module_), &store_} {
  BOOST_REQUIRE(module_ != nullptr);
  char error[512] = "";
  BOOST_REQUIRE_MESSAGE(module_->config_new(config_host_.handle(), {json.data(), json.size()},
                                            &config_, error, sizeof(error)) == 0,
                        error);
}

FilterHarness::~FilterHarness() {
  if (config_ != nullptr) module_->config_destroy(config_);
}

std::string FilterHarness::configError(InitFn init, std::string_view json) {
  const weft_filter_module* module = init(plugins::hostApi());
  BOOST_REQUIRE(module != nullptr);
  stats::Store store;
  plugins::ConfigHost host{uniqueFilterName(module), &store};
  void* config = nullptr;
  char error[512] = "";
  const int result =
      module->config_new(host.handle(), {json.data(), json.size()}, &config, error, sizeof(error));
  if (result == 0) {
    module->config_destroy(config);
    BOOST_FAIL("config accepted: " << json);
  }
  return error;
}

std::unique_ptr<StreamRun> FilterHarness::run(const Fields& request) const {
  auto s = stream(request);
  s->requestHeaders();
  return s;
}

uint64_t FilterHarness::counter(std::string_view name) const {
  return store_.counter(name, {{"filter", config_host_.filter_name}}).value();
}

int64_t FilterHarness::gauge(std::string_view name) const {
  return store_.gauge(name, {{"filter", config_host_.filter_name}}).value();
}

}  // namespace weft::testing
