// Tests for the route table (domain precedence, path matching, config errors), the router filter
// driven through its C module table, and the SDK's boundary rules (weft/filter.hpp). Filters run
// against a small fake host table defined here, the way a third party can test a plugin.
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/http/header_map.h"
#include "core/stats/stats.h"
#include "filters/router/match_input.h"
#include "filters/router/route_table.h"
#include "filters/router/router_filter.h"
#include "plugins/host/filter_instance.h"
#include "plugins/host/host_stream.h"
#include "weft/filter.hpp"

namespace {

using weft::router::ForwardAction;
using weft::router::ListMatchInput;
using weft::router::Route;
using weft::router::RouteTable;

const ListMatchInput kNoHeaders;

// ---------------------------------------------------------------------------------------------
// A fake host: one stream's header maps plus what the filter asked the host to do.

using Fields = std::vector<std::pair<std::string, std::string>>;

struct FakeStream {
  Fields maps[4];                 // indexed by weft_map
  bool response_started = false;  // a local reply is then refused
  std::optional<uint32_t> reply_status;
  std::string reply_body, reply_details;
  Fields reply_headers;
  std::string cluster, route;

  weft_stream_host* handle() { return reinterpret_cast<weft_stream_host*>(this); }
  static FakeStream& from(weft_stream_host* h) { return *reinterpret_cast<FakeStream*>(h); }
};

struct Recorder {
  std::vector<std::string> logs;
  std::vector<std::pair<std::string, uint64_t>> counters;  // index = id

  uint64_t counter(const std::string& name) const {
    for (const auto& [n, v] : counters) {
      if (n == name) return v;
    }
    BOOST_FAIL("no counter " + name);
    return 0;
  }
  bool logged(const std::string& needle) const {
    for (const std::string& line : logs) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};
Recorder g_rec;

std::string str(weft_str s) { return std::string(s.ptr, s.len); }
std::string lowerStr(weft_str s) {
  std::string out = str(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
Fields& fieldsOf(weft_stream_host* s, weft_map m) { return FakeStream::from(s).maps[m]; }

const weft_host_api kFakeHost = [] {
  weft_host_api api{};
  api.struct_size = sizeof(weft_host_api);
  api.abi_major = WEFT_ABI_MAJOR;
  api.abi_minor = WEFT_ABI_MINOR;
  api.log = [](weft_log_level, weft_str m) { g_rec.logs.push_back(str(m)); };
  api.define_counter = [](weft_config_host*, weft_str name) -> int64_t {
    g_rec.counters.emplace_back(str(name), 0);
    return static_cast<int64_t>(g_rec.counters.size() - 1);
  };
  api.counter_add = [](int64_t id, uint64_t d) { g_rec.counters.at(id).second += d; };
  api.header_size = [](weft_stream_host* s, weft_map m) { return fieldsOf(s, m).size(); };
  api.header_at = [](weft_stream_host* s, weft_map m, size_t i, weft_str* n, weft_str* v) {
    const Fields& f = fieldsOf(s, m);
    if (i >= f.size()) return false;
    *n = {f[i].first.data(), f[i].first.size()};
    *v = {f[i].second.data(), f[i].second.size()};
    return true;
  };
  api.header_count = [](weft_stream_host* s, weft_map m, weft_str name) {
    size_t n = 0;
    for (const auto& [k, v] : fieldsOf(s, m)) n += k == lowerStr(name);
    return n;
  };
  api.header_get = [](weft_stream_host* s, weft_map m, weft_str name, size_t index, weft_str* out) {
    for (const auto& [k, v] : fieldsOf(s, m)) {
      if (k == lowerStr(name) && index-- == 0) {
        *out = {v.data(), v.size()};
        return true;
      }
    }
    return false;
  };
  api.header_add = [](weft_stream_host* s, weft_map m, weft_str name, weft_str value) {
    fieldsOf(s, m).emplace_back(lowerStr(name), str(value));
    return WEFT_OK;
  };
  api.header_remove = [](weft_stream_host* s, weft_map m, weft_str name) {
    std::erase_if(fieldsOf(s, m), [&](const auto& f) { return f.first == lowerStr(name); });
    return WEFT_OK;
  };
  api.header_set = [](weft_stream_host* s, weft_map m, weft_str name, weft_str value) {
    std::erase_if(fieldsOf(s, m), [&](const auto& f) { return f.first == lowerStr(name); });
    fieldsOf(s, m).emplace_back(lowerStr(name), str(value));
    return WEFT_OK;
  };
  api.send_local_reply = [](weft_stream_host* h, uint32_t status, weft_str body,
                            const weft_header* headers, size_t count, weft_str details) {
    FakeStream& s = FakeStream::from(h);
    if (s.response_started) return WEFT_ERR_WRONG_PHASE;
    s.reply_status = status;
    s.reply_body = str(body);
    s.reply_details = str(details);
    for (size_t i = 0; i < count; ++i) {
      s.reply_headers.emplace_back(str(headers[i].name), str(headers[i].value));
    }
    return WEFT_OK;
  };
  api.set_upstream_cluster = [](weft_stream_host* h, weft_str c) {
    FakeStream::from(h).cluster = str(c);
    return WEFT_OK;
  };
  api.set_route_name = [](weft_stream_host* h, weft_str r) {
    FakeStream::from(h).route = str(r);
    return WEFT_OK;
  };
  api.cluster_exists = [](weft_stream_host*, weft_str) { return true; };
  return api;
}();

struct FakeHostFixture {
  FakeHostFixture() { g_rec = Recorder(); }
};

// A module's config and one stream of it, driven through the C table like the proxy does.
class Harness {
 public:
  Harness(const weft_filter_module* module, const std::string& json) : module_(module) {
    BOOST_REQUIRE(module_ != nullptr);
    char error[256] = "";
    BOOST_REQUIRE_MESSAGE(module_->config_new(nullptr, {json.data(), json.size()}, &config_, error,
                                              sizeof(error)) == 0,
                          error);
  }
  ~Harness() {
    if (ctx_ != nullptr) module_->stream_destroy(ctx_);
    module_->config_destroy(config_);
  }

  weft_status requestHeaders(const Fields& headers) {
    stream_.maps[WEFT_MAP_REQUEST_HEADERS] = headers;
    ctx_ = module_->stream_new(config_, nullptr, stream_.handle());
    return module_->on_request_headers(ctx_, stream_.handle(), true);
  }
  const weft_filter_module& module() { return *module_; }
  void* ctx() { return ctx_; }
  FakeStream& stream() { return stream_; }

 private:
  const weft_filter_module* module_;
  void* config_ = nullptr;
  void* ctx_ = nullptr;
  FakeStream stream_;
};

// ---------------------------------------------------------------------------------------------

RouteTable table(const std::string& json) {
  auto parsed = RouteTable::parse(json);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), (parsed.isOk() ? "" : parsed.status().message()));
  return std::move(*parsed);
}

std::string parseError(const std::string& json) {
  auto parsed = RouteTable::parse(json);
  BOOST_REQUIRE(!parsed.isOk());
  return parsed.status().message();
}

// The cluster a request is routed to, or "" when none.
std::string clusterFor(const RouteTable& t, std::string_view authority, std::string_view path) {
  const Route* r = t.route(authority, path, kNoHeaders);
  return r == nullptr ? "" : std::get<ForwardAction>(r->action).cluster;
}

// One virtual host per domain, each routing "/" to a cluster named after the domain.
std::string domainsConfig(const std::vector<std::string>& domains) {
  std::string vhosts;
  for (const std::string& d : domains) {
    if (!vhosts.empty()) vhosts += ",";
    vhosts += R"({"name":")" + d + R"(","domains":[")" + d +
              R"("],"routes":[{"match":{"prefix":"/"},"cluster":")" + d + R"("}]})";
  }
  return R"({"name":"test","virtual_hosts":[)" + vhosts + "]}";
}

const char* kPaths = R"({"name":"paths","virtual_hosts":[{"name":"all","domains":["*"],"routes":[
    {"match":{"path":"/exact"},"cluster":"exact"},
    {"match":{"prefix":"/api"},"cluster":"api","name":"api-route"},
    {"match":{"prefix":"/api/v2"},"cluster":"never"},
    {"match":{"path":"/"},"cluster":"root"}]}]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(route_table)

BOOST_AUTO_TEST_CASE(domain_precedence_exact_then_suffix_then_prefix_then_any) {
  const RouteTable t = table(domainsConfig(
      {"*", "api.*", "api.eu.*", "*.example.com", "*.eu.example.com", "api.example.com"}));
  BOOST_TEST(clusterFor(t, "api.example.com", "/") == "api.example.com");
  BOOST_TEST(clusterFor(t, "www.example.com", "/") == "*.example.com");
  BOOST_TEST(clusterFor(t, "x.eu.example.com", "/") == "*.eu.example.com");
  BOOST_TEST(clusterFor(t, "api.eu.example.com", "/") == "*.eu.example.com");  // suffix first
  BOOST_TEST(clusterFor(t, "api.example.org", "/") == "api.*");
  BOOST_TEST(clusterFor(t, "api.eu.example.org", "/") == "api.eu.*");  // longest prefix
  BOOST_TEST(clusterFor(t, "other.org", "/") == "*");
  BOOST_TEST(clusterFor(t, "example.com", "/") == "*");  // '*' stands for at least one char
  BOOST_TEST(clusterFor(t, "", "/") == "*");
}

BOOST_AUTO_TEST_CASE(suffix_wildcard_without_dot) {
  const RouteTable t = table(domainsConfig({"*-api.example.com", "*"}));
  BOOST_TEST(clusterFor(t, "eu-api.example.com", "/") == "*-api.example.com");
  BOOST_TEST(clusterFor(t, "-api.example.com", "/") == "*");
}

BOOST_AUTO_TEST_CASE(ports_are_stripped) {
  const RouteTable t = table(domainsConfig({"api.example.com", "[::1]", "reviews:9080", "*"}));
  BOOST_TEST(clusterFor(t, "api.example.com:8080", "/") == "api.example.com");
  BOOST_TEST(clusterFor(t, "api.example.com:", "/") == "api.example.com");
  BOOST_TEST(clusterFor(t, "[::1]:443", "/") == "[::1]");
  BOOST_TEST(clusterFor(t, "[::1]", "/") == "[::1]");
  BOOST_TEST(clusterFor(t, "reviews:9080", "/") == "reviews:9080");  // a domain with its port
  BOOST_TEST(clusterFor(t, "reviews:9081", "/") == "*");
  BOOST_TEST(weft::router::stripPort("a.b:80") == "a.b");
  BOOST_TEST(weft::router::stripPort("a.b:http") == "a.b:http");
  BOOST_TEST(weft::router::stripPort("::1") == "::1");
}

BOOST_AUTO_TEST_CASE(hosts_are_case_insensitive) {
  const RouteTable t = table(domainsConfig({"Mixed.Example.com", "*.Wild.COM", "Pre.*"}));
  BOOST_TEST(clusterFor(t, "MIXED.example.COM:80", "/") == "Mixed.Example.com");
  BOOST_TEST(clusterFor(t, "a.wild.com", "/") == "*.Wild.COM");
  BOOST_TEST(clusterFor(t, "PRE.x", "/") == "Pre.*");
  BOOST_TEST(clusterFor(t, "nothing.here", "/") == "");  // no "*": no virtual host
}

BOOST_AUTO_TEST_CASE(path_exact_versus_prefix_first_match_wins) {
  const RouteTable t = table(kPaths);
  BOOST_TEST(clusterFor(t, "h", "/exact") == "exact");
  BOOST_TEST(clusterFor(t, "h", "/exact/more") == "");
  BOOST_TEST(clusterFor(t, "h", "/api") == "api");
  BOOST_TEST(clusterFor(t, "h", "/apix") == "api");
  BOOST_TEST(clusterFor(t, "h", "/api/v2/x") == "api");  // first match wins over a longer prefix
  BOOST_TEST(clusterFor(t, "h", "/API") == "");          // paths are case-sensitive
  BOOST_TEST(clusterFor(t, "h", "/") == "root");
  BOOST_TEST(clusterFor(t, "h", "/other") == "");
}

BOOST_AUTO_TEST_CASE(query_string_is_ignored) {
  const RouteTable t = table(kPaths);
  BOOST_TEST(clusterFor(t, "h", "/exact?x=1") == "exact");
  BOOST_TEST(clusterFor(t, "h", "/?q") == "root");
  BOOST_TEST(clusterFor(t, "h", "/exact#frag") == "exact");
  BOOST_TEST(clusterFor(t, "h", "/ex?act") == "");
}

BOOST_AUTO_TEST_CASE(route_names) {
  const RouteTable t = table(kPaths);
  BOOST_TEST(t.name() == "paths");
  BOOST_TEST(t.route("h", "/exact", kNoHeaders)->name == "all/0");
  BOOST_TEST(t.route("h", "/api", kNoHeaders)->name == "api-route");
  BOOST_TEST(t.route("h", "/", kNoHeaders)->name == "all/3");
}

BOOST_AUTO_TEST_CASE(virtual_host_without_routes_matches_nothing) {
  const RouteTable t = table(R"({"virtual_hosts":[{"name":"v","domains":["*"]}]})");
  BOOST_TEST(t.virtualHost("x") != nullptr);
  BOOST_TEST(t.route("x", "/", kNoHeaders) == nullptr);
}

BOOST_AUTO_TEST_CASE(bad_configs_are_rejected_with_the_field) {
  BOOST_TEST(parseError("{\"name\": ").find("route config: invalid JSON at line 1") == 0);
  BOOST_TEST(parseError("[1]") == "route config: must be a JSON object");
  BOOST_TEST(parseError(R"({"name":"n"})") == "route config 'n': virtual_hosts: required, a list");
  BOOST_TEST(parseError(R"({"name":"n","virtual_hosts":[{"name":"v","domains":["*"],
      "routes":[{"match":{"prefix":"/"}}]}]})") ==
             "route config 'n': virtual_hosts[0].routes[0]: needs exactly one of cluster, "
             "weighted_clusters, redirect, direct_response");
  BOOST_TEST(parseError(R"({"virtual_hosts":[{"name":"v","domains":["*"],
      "routes":[{"match":{"regex":".*"},"cluster":"c"}]}]})") ==
             "route config: virtual_hosts[0].routes[0].match: unknown field 'regex' "
             "(supported: prefix, path, safe_regex, case_sensitive, headers, query_parameters, "
             "port, source_labels)");
  BOOST_TEST(parseError(R"({"virtual_hosts":[{"name":"v","domains":["*"],
      "routes":[{"match":{"path":"/a","prefix":"/"},"cluster":"c"}]}]})") ==
             "route config: virtual_hosts[0].routes[0].match: needs exactly one of prefix, path, "
             "safe_regex");
  BOOST_TEST(parseError(R"({"virtual_hosts":[{"name":"v","domains":["*"],
      "routes":[{"match":{"prefix":"api"},"cluster":"c"}]}]})") ==
             "route config: virtual_hosts[0].routes[0].match.prefix: must start with '/'");
  BOOST_TEST(parseError(R"({"virtual_hosts":[{"name":"v","domains":[]}]})") ==
             "route config: virtual_hosts[0].domains: required, a non-empty list");
  BOOST_TEST(parseError(R"({"virtual_hosts":[{"name":"v","domains":["a.*.com"]}]})") ==
             "route config: virtual_hosts[0].domains[0]: 'a.*.com': a wildcard must be the "
             "whole domain, its first or its last character");
  BOOST_TEST(parseError(R"({"virtual_hosts":[{"name":"v","domains":["A.com"]},
      {"name":"w","domains":["x","a.COM"]}]})") ==
             "route config: virtual_hosts[1].domains[1]: duplicate domain 'a.com' (each may "
             "appear only once)");
  BOOST_TEST(parseError(R"({"virtual_hosts":[{"domains":["*"]}]})") ==
             "route config: virtual_hosts[0].name: required");
  BOOST_TEST(parseError(R"({"virtual_hosts":[],"extra":1})") ==
             "route config: unknown field 'extra' (supported: name, virtual_hosts, "
             "request_headers_to_add, request_headers_to_remove, response_headers_to_add, "
             "response_headers_to_remove)");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

const char* kRouterConfig = R"({"route_config":{"name":"local","virtual_hosts":[
    {"name":"svc","domains":["svc.local"],"routes":[{"match":{"prefix":"/"},"cluster":"svc"}]},
    {"name":"all","domains":["*"],"routes":[{"match":{"prefix":"/app"},"cluster":"backend"}]}]}})";

BOOST_FIXTURE_TEST_SUITE(router_filter, FakeHostFixture)

BOOST_AUTO_TEST_CASE(module_table) {
  const weft_filter_module* m = weft_router_module_init(&kFakeHost);
  BOOST_REQUIRE(m != nullptr);
  BOOST_TEST(std::string(m->name) == "router");
  BOOST_TEST(m->abi_major == WEFT_ABI_MAJOR);
  BOOST_TEST(m->struct_size == sizeof(weft_filter_module));
}

BOOST_AUTO_TEST_CASE(routes_a_match) {
  Harness h(weft_router_module_init(&kFakeHost), kRouterConfig);
  BOOST_TEST(h.requestHeaders(
                 {{":method", "GET"}, {":path", "/app/x?y"}, {":authority", "example.com:8080"}}) ==
             WEFT_CONTINUE);
  BOOST_TEST(h.stream().cluster == "backend");
  BOOST_TEST(h.stream().route == "all/0");
  BOOST_TEST(!h.stream().reply_status.has_value());
  BOOST_TEST(g_rec.counter("router.routed") == 1u);
  BOOST_TEST(g_rec.counter("router.no_route") == 0u);
}

BOOST_AUTO_TEST_CASE(falls_back_to_host_header) {
  Harness h(weft_router_module_init(&kFakeHost), kRouterConfig);
  BOOST_TEST(h.requestHeaders({{":path", "/"}, {"host", "SVC.local"}}) == WEFT_CONTINUE);
  BOOST_TEST(h.stream().cluster == "svc");
}

BOOST_AUTO_TEST_CASE(no_route_answers_404) {
  Harness h(weft_router_module_init(&kFakeHost), kRouterConfig);
  BOOST_TEST(h.requestHeaders({{":path", "/elsewhere"}, {":authority", "example.com"}}) ==
             WEFT_STOP_ITERATION);
  BOOST_TEST(h.stream().reply_status.value_or(0) == 404u);
  BOOST_TEST(h.stream().reply_body == "no route\n");
  BOOST_TEST(h.stream().reply_details == "route_not_found");
  BOOST_TEST(h.stream().cluster.empty());
  BOOST_TEST(g_rec.counter("router.no_route") == 1u);
  BOOST_TEST(g_rec.counter("router.routed") == 0u);
}

BOOST_AUTO_TEST_CASE(node_labels_choose_the_routes_for_this_workload) {
  const std::string routes = R"({"route_config":{"name":"local","virtual_hosts":[{"name":"all",
      "domains":["*"],"routes":[
        {"match":{"prefix":"/","source_labels":{"app":"productpage"}},"cluster":"from_pp"},
        {"match":{"prefix":"/"},"cluster":"others"}]}]})";
  const auto clusterFor = [&](const std::string& node_labels) {
    Harness h(
        weft_router_module_init(&kFakeHost),
        node_labels.empty() ? routes + "}" : routes + R"(,"node_labels":)" + node_labels + "}");
    BOOST_TEST(h.requestHeaders({{":path", "/a"}, {":authority", "x"}}) == WEFT_CONTINUE);
    return h.stream().cluster;
  };
  BOOST_TEST(clusterFor(R"({"app":"productpage","version":"v1"})") == "from_pp");
  BOOST_TEST(clusterFor(R"({"app":"reviews"})") == "others");
  BOOST_TEST(clusterFor("{}") == "others");
  BOOST_TEST(clusterFor("") == "others");  // no node_labels: the node has none
}

BOOST_AUTO_TEST_CASE(bad_node_labels_are_refused_with_a_message) {
  const weft_filter_module* m = weft_router_module_init(&kFakeHost);
  const auto error = [&](const std::string& json) {
    void* config = nullptr;
    char text[256] = "";
    BOOST_TEST(m->config_new(nullptr, {json.data(), json.size()}, &config, text, sizeof(text)) !=
               0);
    BOOST_TEST(config == nullptr);
    return std::string(text);
  };
  const std::string routes = R"({"route_config":{"virtual_hosts":[]})";
  BOOST_TEST(error(routes + R"(,"node_labels":["app"]})") ==
             "router: node_labels: must be an object");
  BOOST_TEST(error(routes + R"(,"node_labels":{"app":{"x":1}}})") ==
             "router: node_labels.app: must be a string");
  BOOST_TEST(error(routes + R"(,"node":{}})") ==
             "router: unknown field 'node' (supported: route_config, node_labels)");
}

BOOST_AUTO_TEST_CASE(bad_config_is_refused_with_a_message) {
  const weft_filter_module* m = weft_router_module_init(&kFakeHost);
  void* config = nullptr;
  char error[256];
  const std::string json = R"({"route_config":{"virtual_hosts":[{"name":"v"}]}})";
  BOOST_TEST(m->config_new(nullptr, {json.data(), json.size()}, &config, error, sizeof(error)) !=
             0);
  BOOST_TEST(std::string(error) ==
             "router: route config: virtual_hosts[0].domains: required, a non-empty list");
  BOOST_TEST(config == nullptr);

  const std::string missing = R"({"routes":{}})";
  char small[8];
  BOOST_TEST(
      m->config_new(nullptr, {missing.data(), missing.size()}, &config, small, sizeof(small)) != 0);
  BOOST_TEST(std::string(small) == "router:");  // truncated, NUL-terminated
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// The router through the proxy's real host table (host_api.cc), on a HostStream that holds only
// request headers.

namespace {

class HeadersOnlyStream : public weft::plugins::HostStream {
 public:
  weft::http::HeaderMap request;
  std::string cluster, route;
  uint32_t reply_status = 0;
  std::string reply_details;

  weft::http::HeaderMap* headerMap(weft_map map) override {
    return map == WEFT_MAP_REQUEST_HEADERS ? &request : nullptr;
  }
  evbuffer* body(weft_body) override { return nullptr; }
  int sendLocalReply(uint32_t status, std::string_view, const weft_header*, size_t,
                     std::string_view details) override {
    reply_status = status;
    reply_details = details;
    return WEFT_OK;
  }
  int continueRequest() override { return WEFT_ERR_WRONG_PHASE; }
  int continueResponse() override { return WEFT_ERR_WRONG_PHASE; }
  int reset() override { return WEFT_ERR_WRONG_PHASE; }
  int64_t timerStart(uint64_t) override { return WEFT_ERR_WRONG_PHASE; }
  int timerCancel(int64_t) override { return WEFT_ERR_NOT_FOUND; }
  int setUpstreamCluster(std::string_view c) override {
    cluster = c;
    return WEFT_OK;
  }
  int setRouteName(std::string_view r) override {
    route = r;
    return WEFT_OK;
  }
  bool clusterExists(std::string_view) override { return true; }
  bool infoString(weft_info_str, std::string_view&) override { return false; }
  bool infoNumber(weft_info_u64, uint64_t&) override { return false; }
  int metadataSet(std::string_view, std::string_view) override { return WEFT_OK; }
  bool metadataGet(std::string_view, std::string_view&) override { return false; }
  weft_worker_host* worker() override { return nullptr; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(router_real_host)

BOOST_AUTO_TEST_CASE(routes_and_counts_through_host_api) {
  weft::stats::Store store;
  weft::plugins::ConfigHost config_host{"router", &store};
  const weft_filter_module* m = weft_router_module_init(weft::plugins::hostApi());
  BOOST_REQUIRE(m != nullptr);
  void* config = nullptr;
  char error[256] = "";
  const std::string json = kRouterConfig;
  BOOST_REQUIRE_MESSAGE(m->config_new(config_host.handle(), {json.data(), json.size()}, &config,
                                      error, sizeof(error)) == 0,
                        error);

  for (const char* path : {"/app/1", "/nowhere"}) {
    HeadersOnlyStream stream;
    stream.request.add(":method", "GET");
    stream.request.add(":path", path);
    stream.request.add(":authority", "Example.COM");
    void* ctx = m->stream_new(config, nullptr, stream.handle());
    const weft_status status = m->on_request_headers(ctx, stream.handle(), true);
    if (std::string_view(path) == "/app/1") {
      BOOST_TEST(status == WEFT_CONTINUE);
      BOOST_TEST(stream.cluster == "backend");
      BOOST_TEST(stream.route == "all/0");
    } else {
      BOOST_TEST(status == WEFT_STOP_ITERATION);
      BOOST_TEST(stream.reply_status == 404u);
      BOOST_TEST(stream.reply_details == "route_not_found");
    }
    m->stream_destroy(ctx);
  }
  m->config_destroy(config);

  const weft::stats::Tags tags{{"filter", "router"}};
  BOOST_TEST(store.counter("router.routed", tags).value() == 1u);
  BOOST_TEST(store.counter("router.no_route", tags).value() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// The SDK's boundary rules, with filters that misbehave on purpose.

namespace {

struct TestConfig : weft::FilterConfig {
  static std::unique_ptr<TestConfig> create(const weft_host_api*, weft_config_host*,
                                            std::string_view json, std::string& error) {
    if (json == "throw") throw std::runtime_error("config boom");
    if (json == "refuse") {
      error = "refused politely";
      return nullptr;
    }
    if (json == "silent") return nullptr;
    return std::make_unique<TestConfig>();
  }
};

class TestFilter : public weft::StreamFilter {
 public:
  TestFilter(const TestConfig&, weft::Stream stream) : StreamFilter(stream) {
    if (stream.requestHeader("x-ctor-throw")) throw std::runtime_error("ctor boom");
  }
  weft::FilterStatus onRequestHeaders(bool) override {
    if (stream().requestHeader("x-throw")) throw std::runtime_error("kaboom");
    if (stream().requestHeader("x-throw-int")) throw 42;
    // Exercise the header helpers.
    stream().addRequestHeader("x-added", "1");
    stream().addRequestHeader("x-added", "2");
    stream().setRequestHeader("x-set", "v");
    stream().removeRequestHeader("x-gone");
    std::string walked;
    stream().forEachHeader(WEFT_MAP_REQUEST_HEADERS, [&](std::string_view n, std::string_view) {
      walked += std::string(n) + ";";
      return n != "x-added";  // stop at the first x-added
    });
    stream().setRequestHeader("x-walked", walked);
    stream().setRequestHeader("x-count", std::to_string(stream().requestHeaderCount("x-added")));
    stream().setRequestHeader("x-second", stream().requestHeader("x-added", 1).value_or("-"));
    return weft::FilterStatus::kContinue;
  }
  weft::FilterStatus onResponseHeaders(bool) override { throw std::runtime_error("late"); }
  void onStreamComplete() override { throw std::runtime_error("at the end"); }
};

}  // namespace

WEFT_DEFINE_FILTER(weft_sdk_test_module_init, "sdk-test", "0.1.0", TestConfig, TestFilter)

BOOST_FIXTURE_TEST_SUITE(sdk, FakeHostFixture)

std::string configError(const std::string& json) {
  const weft_filter_module* m = weft_sdk_test_module_init(&kFakeHost);
  void* config = nullptr;
  char error[128] = "";
  BOOST_TEST(m->config_new(nullptr, {json.data(), json.size()}, &config, error, sizeof(error)) !=
             0);
  return error;
}

BOOST_AUTO_TEST_CASE(config_errors_become_messages) {
  BOOST_TEST(configError("throw") == "config boom");
  BOOST_TEST(configError("refuse") == "refused politely");
  BOOST_TEST(configError("silent") == "config rejected");
}

BOOST_AUTO_TEST_CASE(header_helpers) {
  Harness h(weft_sdk_test_module_init(&kFakeHost), "{}");
  BOOST_TEST(h.requestHeaders({{":path", "/"}, {"x-gone", "a"}, {"x-gone", "b"}}) == WEFT_CONTINUE);
  const Fields& f = h.stream().maps[WEFT_MAP_REQUEST_HEADERS];
  const Fields expected{{":path", "/"},
                        {"x-added", "1"},
                        {"x-added", "2"},
                        {"x-set", "v"},
                        {"x-walked", ":path;x-added;"},
                        {"x-count", "2"},
                        {"x-second", "2"}};
  BOOST_TEST((f == expected));
}

BOOST_AUTO_TEST_CASE(exception_in_a_hook_answers_500) {
  Harness h(weft_sdk_test_module_init(&kFakeHost), "{}");
  BOOST_TEST(h.requestHeaders({{":path", "/"}, {"x-throw", "1"}}) == WEFT_STOP_ITERATION);
  BOOST_TEST(h.stream().reply_status.value_or(0) == 500u);
  BOOST_TEST(h.stream().reply_details == "filter_exception");
  BOOST_TEST(g_rec.logged("filter 'sdk-test': on_request_headers threw: kaboom"));
}

BOOST_AUTO_TEST_CASE(non_standard_exception_answers_500) {
  Harness h(weft_sdk_test_module_init(&kFakeHost), "{}");
  BOOST_TEST(h.requestHeaders({{"x-throw-int", "1"}}) == WEFT_STOP_ITERATION);
  BOOST_TEST(h.stream().reply_status.value_or(0) == 500u);
  BOOST_TEST(g_rec.logged("unknown exception"));
}

BOOST_AUTO_TEST_CASE(exception_in_the_constructor_answers_500) {
  Harness h(weft_sdk_test_module_init(&kFakeHost), "{}");
  BOOST_TEST(h.requestHeaders({{"x-ctor-throw", "1"}}) == WEFT_STOP_ITERATION);
  BOOST_TEST(h.ctx() == nullptr);
  BOOST_TEST(h.stream().reply_status.value_or(0) == 500u);
  BOOST_TEST(g_rec.logged("stream_new threw: ctor boom"));
}

BOOST_AUTO_TEST_CASE(exception_after_the_response_started_continues) {
  Harness h(weft_sdk_test_module_init(&kFakeHost), "{}");
  BOOST_TEST(h.requestHeaders({{":path", "/"}}) == WEFT_CONTINUE);
  h.stream().response_started = true;
  BOOST_TEST(h.module().on_response_headers(h.ctx(), h.stream().handle(), false) == WEFT_CONTINUE);
  BOOST_TEST(g_rec.logged("on_response_headers threw: late"));
  h.module().on_stream_complete(h.ctx(), h.stream().handle());  // throws inside; must not escape
  BOOST_TEST(g_rec.logged("on_stream_complete threw: at the end"));
  BOOST_TEST(!h.stream().reply_status.has_value());
}

BOOST_AUTO_TEST_CASE(an_older_host_table_is_respected) {
  weft_host_api old = kFakeHost;
  old.struct_size = offsetof(weft_host_api, cluster_exists);  // a host from before cluster_exists
  const weft::Stream stream(&old, nullptr);
  BOOST_TEST(!stream.clusterExists("anything"));
  BOOST_TEST(weft::Stream(&kFakeHost, nullptr).clusterExists("anything"));
  BOOST_TEST(!stream.info(WEFT_INFO_RESPONSE_CODE).has_value());  // NULL in the fake
  BOOST_TEST(stream.startTimer(5) == WEFT_ERR_UNSUPPORTED);
}

BOOST_AUTO_TEST_CASE(a_host_of_another_major_is_refused) {
  weft_host_api other = kFakeHost;
  other.abi_major = WEFT_ABI_MAJOR + 1;
  BOOST_TEST(weft_sdk_test_module_init(&other) == nullptr);
  BOOST_TEST(g_rec.logged("filter 'sdk-test': built for ABI 1." + std::to_string(WEFT_ABI_MINOR) +
                          ", host speaks ABI 2."));
  BOOST_TEST(weft_sdk_test_module_init(nullptr) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
