// What a finished request leaves behind: the access log line (JSON and text formats, written by
// the writer thread without blocking a worker) and the request timeout's answer and flag.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An upstream behind a proxy that logs every request to a file in a temp dir.
struct LoggedProxy {
  LoggedProxy(const std::string& access_log_block, const std::string& limits = "")
      : log_path(logs.path() + "/access.log"), proxy([&] {
          HttpBootstrap spec;
          spec.upstream_port = upstream.port();
          spec.limits_yaml = limits;
          // /dead goes to a port nothing listens on: a 503 with the UF flag.
          spec.extra_routes = "          - match: { prefix: /dead }\n            cluster: dead\n";
          spec.extra_clusters =
              "  - name: dead\n    connect_timeout: 1s\n"
              "    endpoints: [ { address: 127.0.0.1, port: 1 } ]\n";
          spec.top_level_yaml = "access_log:\n  path: " + log_path + "\n" + access_log_block;
          return httpBootstrapYaml(spec);
        }()) {}

  // Waits until the log holds `lines` lines and returns it.
  std::string waitForLines(size_t lines) {
    std::string text;
    eventually([&] {
      text = readFile(log_path);
      return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) >= lines;
    });
    return text;
  }

  TempDir logs;
  std::string log_path;
  Upstream upstream{"delta"};
  Proxy proxy;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(access_log)

BOOST_AUTO_TEST_CASE(json_lines_describe_each_request) {
  LoggedProxy setup(
      "  json: { method: '%REQ(:METHOD)%', path: '%REQ(:PATH)%', code: '%RESPONSE_CODE%',"
      " flags: '%RESPONSE_FLAGS%', cluster: '%UPSTREAM_CLUSTER%', id: '%REQ(X-REQUEST-ID)%' }\n");
  BOOST_REQUIRE(get(setup.proxy.port(), "/headers"));
  auto dead = get(setup.proxy.port(), "/dead");
  BOOST_REQUIRE(dead);
  BOOST_TEST(dead->status == 503);

  std::string text = setup.waitForLines(2);
  BOOST_TEST(text.find("\n\n") == std::string::npos, "blank line in the log:\n" << text);
  BOOST_TEST(text.find("\"method\":\"GET\"") != std::string::npos, text);
  BOOST_TEST(text.find("\"path\":\"/headers\"") != std::string::npos, text);
  BOOST_TEST(text.find("\"code\":200") != std::string::npos, text);
  BOOST_TEST(text.find("\"cluster\":\"backend\"") != std::string::npos, text);
  BOOST_TEST(text.find("\"code\":503") != std::string::npos, text);
  BOOST_TEST(text.find("\"flags\":\"UF\"") != std::string::npos, text);
  BOOST_TEST(text.find("\"cluster\":\"dead\"") != std::string::npos, text);
  // The generated request id is logged (36 characters, a UUID).
  auto id = text.find("\"id\":\"");
  BOOST_REQUIRE(id != std::string::npos);
  BOOST_TEST(text.find('"', id + 6) - (id + 6) == 36u, text);
}

BOOST_AUTO_TEST_CASE(request_timeout_answers_504_with_the_ut_flag) {
  LoggedProxy setup("  format: '%RESPONSE_CODE% %RESPONSE_FLAGS% %REQ(:PATH)%'\n",
                    "request_timeout: 300ms");
  auto start = std::chrono::steady_clock::now();
  auto slow = get(setup.proxy.port(), "/delay/3000");
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  BOOST_REQUIRE(slow);
  BOOST_TEST(slow->status == 504);
  BOOST_TEST(took < 2500, "answered after " << took << " ms");
  BOOST_TEST(setup.proxy.statSum("downstream_rq_timeout") == 1u);
  std::string text = setup.waitForLines(1);
  BOOST_TEST(text.find("504 UT /delay/3000") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
