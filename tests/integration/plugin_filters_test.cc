// Plugin filters loaded by the real weft-proxy from .so files: header changes both ways, local
// replies that never touch the upstream, a timer that holds and resumes a request, the sample
// third-party filter, and modules that must stop the proxy from starting.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <string>

#include "tests/integration/proxy_fixture.h"
#include "weft/filter_abi.h"

namespace weft::itest {
namespace {

std::string testPlugin(const std::string& name) {
  return std::string(WEFT_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

// An upstream behind a proxy whose ingress listener runs the given filters.
struct FilteredProxy {
  explicit FilteredProxy(std::vector<FilterSpec> filters)
      : proxy([&] {
          HttpBootstrap spec;
          spec.upstream_port = upstream.port();
          spec.filters = std::move(filters);
          return httpBootstrapYaml(spec);
        }()) {}

  Upstream upstream{"gamma"};
  Proxy proxy;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(plugin_filters)

BOOST_AUTO_TEST_CASE(set_header_adds_headers_both_ways) {
  FilteredProxy setup({{"hdr", testPlugin("set_header"), ""}});
  auto response = get(setup.proxy.port(), "/headers");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  BOOST_TEST(echoedHeader(*response, "x-weft-filter").value_or("") == "set-header", response->body);
  BOOST_TEST(response->header("x-weft-seen").value_or("") == "1");
}

BOOST_AUTO_TEST_CASE(local_reply_answers_without_the_upstream) {
  FilteredProxy setup({{"deny", testPlugin("local_reply"), ""}});
  BOOST_REQUIRE(get(setup.proxy.port(), "/ok"));
  uint64_t before = setup.proxy.statSum(kUpstreamRequestsStat);
  BOOST_REQUIRE_MESSAGE(before >= 1, "no stat ending in '" << kUpstreamRequestsStat << "'");

  auto denied = get(setup.proxy.port(), "/deny/this");
  BOOST_REQUIRE(denied);
  BOOST_TEST(denied->status == 403);
  BOOST_TEST(denied->body == "denied by local_reply\n");
  BOOST_TEST(denied->header("x-weft-denied").value_or("") == "1");
  BOOST_TEST(denied->header("x-upstream-name").has_value() == false);
  BOOST_TEST(setup.proxy.statSum(kUpstreamRequestsStat) == before);

  auto passed = get(setup.proxy.port(), "/ok");
  BOOST_REQUIRE(passed);
  BOOST_TEST(passed->status == 200);
  BOOST_TEST(passed->body == "hello from gamma\n");
}

BOOST_AUTO_TEST_CASE(stream_reset_closes_the_connection_without_a_response) {
  FilteredProxy setup({{"reset", testPlugin("reset_stream"), ""}});
  auto connection = HttpConnection::open(setup.proxy.port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("GET", "/reset/me")));
  BOOST_TEST(!connection->readResponse(milliseconds(2000)).has_value());
  BOOST_TEST(connection->waitForClose());
  auto passed = get(setup.proxy.port(), "/fine");
  BOOST_REQUIRE(passed);
  BOOST_TEST(passed->status == 200);
}

BOOST_AUTO_TEST_CASE(timer_resume_holds_then_continues) {
  FilteredProxy setup({{"hold", testPlugin("timer_resume"), "{ delay_ms: 200 }"}});
  auto start = std::chrono::steady_clock::now();
  auto response = get(setup.proxy.port(), "/headers");
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  BOOST_TEST(took >= 190, "held only " << took << " ms");
  BOOST_TEST(took < 2000, "held " << took << " ms");
  auto resumed = echoedHeader(*response, "x-weft-resumed");
  BOOST_REQUIRE_MESSAGE(resumed, response->body);
  BOOST_TEST(std::atoi(resumed->c_str()) >= 190, "x-weft-resumed: " << *resumed);
}

BOOST_AUTO_TEST_CASE(sample_add_header_filter) {
  FilteredProxy setup({{"hello", WEFT_SAMPLE_PLUGIN, "{ header: x-hello, value: from-weft }"}});
  auto response = get(setup.proxy.port(), "/headers");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  BOOST_TEST(echoedHeader(*response, "x-hello").value_or("") == "from-weft", response->body);
  BOOST_TEST(response->header("x-hello").value_or("") == "from-weft");
}

BOOST_AUTO_TEST_CASE(rejected_filter_config_stops_start) {
  HttpBootstrap spec;
  spec.upstream_port = pickFreePort();
  spec.filters = {{"picky", testPlugin("reject_config"), "{ salutation: hi }"}};
  auto result = runProxyToExit(httpBootstrapYaml(spec), std::chrono::milliseconds(10000));
  BOOST_TEST(result.status != 0);
  BOOST_TEST(result.stderr_text.find("greeting must be a string") != std::string::npos,
             "stderr:\n"
                 << result.stderr_text);
}

BOOST_AUTO_TEST_CASE(wrong_abi_major_stops_start) {
  HttpBootstrap spec;
  spec.upstream_port = pickFreePort();
  spec.filters = {{"future", testPlugin("wrong_major"), ""}};
  auto result = runProxyToExit(httpBootstrapYaml(spec), std::chrono::milliseconds(10000));
  BOOST_TEST(result.status != 0);
  // The line that explains the refusal names the module's major and the host's.
  bool named_both = false;
  size_t start = 0;
  for (size_t end; (end = result.stderr_text.find('\n', start)) != std::string::npos;
       start = end + 1) {
    std::string line = result.stderr_text.substr(start, end - start);
    if (line.find("ABI") == std::string::npos && line.find("abi") == std::string::npos) continue;
    named_both |= line.find(std::to_string(WEFT_ABI_MAJOR)) != std::string::npos &&
                  line.find(std::to_string(WEFT_ABI_MAJOR + 1)) != std::string::npos;
  }
  BOOST_TEST(named_both, "stderr:\n" << result.stderr_text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
