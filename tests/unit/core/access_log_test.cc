// Tests for core/access_log: every format field, errors, JSON output, and the writer's file
// output, bounded queue and reopen.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/access_log/access_log_format.h"
#include "core/access_log/access_log_writer.h"

namespace weft::access_log {
namespace {

using namespace std::chrono_literals;

// A record with every field set, and the headers it points at.
struct FullRecord {
  http::HeaderMap request;
  http::HeaderMap response;
  std::vector<std::pair<std::string, std::string>> metadata = {{"authz.policy", "allow-web"}};
  AccessLogRecord record;

  FullRecord() {
    request.add(":method", "GET");
    request.add(":path", "/api/v1/items?id=7");
    request.add(":authority", "shop.local");
    request.add("User-Agent", "curl/8.0");
    request.add("x-request-id", "req-123");
    response.add(":status", "200");
    response.add("content-type", "application/json");
    record.request_headers = &request;
    record.response_headers = &response;
    record.protocol = "HTTP/1.1";
    record.response_code = 200;
    record.response_flags = "UF";
    record.bytes_received = 17;
    record.bytes_sent = 1234;
    record.start_time =
        std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h + 34min + 56s + 789ms;
    record.duration_us = 15999;
    record.upstream_service_time_us = 9000;
    record.upstream_host = "10.0.0.7:8080";
    record.upstream_cluster = "backend";
    record.route_name = "api";
    record.downstream_remote_address = "192.168.1.2:50000";
    record.downstream_local_address = "10.0.0.1:15001";
    record.metadata = &metadata;
  }
};

// The failure message of `r`, for assertion output (Boost evaluates messages eagerly, so asking
// an OK Result for its status would throw).
template <typename T>
std::string errorOf(const Result<T>& r) {
  return r.isOk() ? std::string() : r.status().message();
}

std::string render(const AccessLogFormat& format, const AccessLogRecord& record) {
  std::string out;
  format.render(record, out);
  return out;
}

std::string mustRender(std::string_view text, const AccessLogRecord& record) {
  auto format = AccessLogFormat::compile(text);
  BOOST_TEST_REQUIRE(format.isOk(), errorOf(format));
  return render(*format, record);
}

BOOST_AUTO_TEST_SUITE(access_log_format)

BOOST_AUTO_TEST_CASE(every_field_renders) {
  FullRecord full;
  std::string text =
      "%START_TIME%|%REQ(:METHOD)%|%REQ(:PATH)%|%REQ(:AUTHORITY)%|%REQ(user-agent)%|"
      "%RESP(Content-Type)%|%RESP(:STATUS)%|%PROTOCOL%|%RESPONSE_CODE%|%RESPONSE_FLAGS%|"
      "%BYTES_RECEIVED%|%BYTES_SENT%|%DURATION%|%UPSTREAM_SERVICE_TIME%|%UPSTREAM_HOST%|"
      "%UPSTREAM_CLUSTER%|%ROUTE_NAME%|%DOWNSTREAM_REMOTE_ADDRESS%|%DOWNSTREAM_LOCAL_ADDRESS%|"
      "%REQUEST_ID%|%DYNAMIC_METADATA(authz.policy)%|100%%";
  BOOST_TEST(mustRender(text, full.record) ==
             "2024-05-01T12:34:56.789Z|GET|/api/v1/items?id=7|shop.local|curl/8.0|"
             "application/json|200|HTTP/1.1|200|UF|17|1234|15|9|10.0.0.7:8080|backend|api|"
             "192.168.1.2:50000|10.0.0.1:15001|req-123|allow-web|100%\n");
}

BOOST_AUTO_TEST_CASE(absent_values_render_as_dash) {
  AccessLogRecord empty;
  BOOST_TEST(mustRender("%START_TIME% %REQ(:METHOD)% %RESP(X)% %PROTOCOL% %RESPONSE_CODE% "
                        "%RESPONSE_FLAGS% %UPSTREAM_SERVICE_TIME% %UPSTREAM_HOST% %ROUTE_NAME% "
                        "%REQUEST_ID% %DYNAMIC_METADATA(k)%\n",
                        empty) == "- - - - 0 - - - - - -\n");
  FullRecord full;
  BOOST_TEST(mustRender("%REQ(x-missing)% %DYNAMIC_METADATA(other)%", full.record) == "- -\n");
}

BOOST_AUTO_TEST_CASE(length_suffix_and_header_fallback) {
  FullRecord full;
  BOOST_TEST(mustRender("%REQ(:PATH):7% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %UPSTREAM_HOST:4%",
                        full.record) == "/api/v1 /api/v1/items?id=7 10.0\n");
  full.request.add("x-envoy-original-path", "/orig");
  BOOST_TEST(mustRender("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", full.record) == "/orig\n");
}

BOOST_AUTO_TEST_CASE(start_time_keeps_milliseconds_across_seconds) {
  AccessLogRecord record;
  record.start_time =
      std::chrono::sys_days{std::chrono::year{1999} / 12 / 31} + 23h + 59min + 59s + 5ms;
  BOOST_TEST(mustRender("%START_TIME%", record) == "1999-12-31T23:59:59.005Z\n");
  record.start_time += 1s;  // a new second: the per-thread cache must not be reused
  BOOST_TEST(mustRender("%START_TIME%", record) == "2000-01-01T00:00:00.005Z\n");
}

BOOST_AUTO_TEST_CASE(errors_name_the_field) {
  auto unknown = AccessLogFormat::compile("%REQ(:PATH)% %NOT_A_FIELD% %DURATION%");
  BOOST_TEST_REQUIRE(!unknown.isOk());
  BOOST_TEST(unknown.status().message().find("'%NOT_A_FIELD%'") != std::string::npos,
             unknown.status().message());
  BOOST_TEST(!AccessLogFormat::compile("%REQ%").isOk());
  BOOST_TEST(!AccessLogFormat::compile("%REQ()%").isOk());
  BOOST_TEST(!AccessLogFormat::compile("%DURATION(x)%").isOk());
  BOOST_TEST(!AccessLogFormat::compile("%REQ(:PATH):0%").isOk());
  BOOST_TEST(!AccessLogFormat::compile("%REQ(:PATH):x%").isOk());
  BOOST_TEST(!AccessLogFormat::compile("%REQ(:PATH%").isOk());
  auto open = AccessLogFormat::compile("done %DURATION");
  BOOST_TEST_REQUIRE(!open.isOk());
  BOOST_TEST(open.status().message().find("unterminated") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(default_format_renders_an_envoy_like_line) {
  FullRecord full;
  BOOST_TEST(render(AccessLogFormat::defaultFormat(), full.record) ==
             "[2024-05-01T12:34:56.789Z] \"GET /api/v1/items?id=7 HTTP/1.1\" 200 UF 17 1234 15 9 "
             "\"-\" \"curl/8.0\" \"req-123\" \"shop.local\" \"10.0.0.7:8080\"\n");
}

BOOST_AUTO_TEST_CASE(json_types_and_escaping) {
  FullRecord full;
  full.request.add("x-note", "say \"hi\"\\ \n\ttab \x01 é");
  auto format = AccessLogFormat::compileJson({{"code", "%RESPONSE_CODE%"},
                                              {"bytes", "%BYTES_SENT%"},
                                              {"ust", "%UPSTREAM_SERVICE_TIME%"},
                                              {"note", "%REQ(X-NOTE)%"},
                                              {"line", "%REQ(:METHOD)% %REQ(:PATH)% %REQ(x-no)%"},
                                              {"missing", "%REQ(x-no)%"},
                                              {"code_text", "%RESPONSE_CODE:2%"},
                                              {"k\"ey", "literal"}});
  BOOST_TEST_REQUIRE(format.isOk(), errorOf(format));
  BOOST_TEST(render(*format, full.record) ==
             "{\"code\":200,\"bytes\":1234,\"ust\":9,"
             "\"note\":\"say \\\"hi\\\"\\\\ \\n\\ttab \\u0001 \\u00e9\","
             "\"line\":\"GET /api/v1/items?id=7 -\",\"missing\":null,\"code_text\":\"20\","
             "\"k\\\"ey\":\"literal\"}\n");
  full.record.upstream_service_time_us = -1;
  BOOST_TEST(render(*format, full.record).find("\"ust\":null,") != std::string::npos);

  auto bad = AccessLogFormat::compileJson({{"a", "%BOGUS%"}});
  BOOST_TEST_REQUIRE(!bad.isOk());
  BOOST_TEST(bad.status().message().find("'a'") != std::string::npos);
  BOOST_TEST(bad.status().message().find("%BOGUS%") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// A file path in a fresh temporary directory, removed with it.
struct TempDir {
  std::filesystem::path dir;
  TempDir() {
    char tmpl[] = "/tmp/weft_access_log_XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(dir); }
  std::string file(const char* name) const { return (dir / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

BOOST_AUTO_TEST_SUITE(access_log_writer)

BOOST_AUTO_TEST_CASE(writes_lines_in_order_and_flushes_on_destruction) {
  TempDir tmp;
  std::string path = tmp.file("access.log");
  {
    std::ofstream(path) << "existing\n";  // O_APPEND: earlier content stays
  }
  stats::Counter dropped;
  std::string expected = "existing\n";
  {
    auto writer = AccessLogWriter::open(path, dropped);
    BOOST_TEST_REQUIRE(writer.isOk(), errorOf(writer));
    for (int i = 0; i < 1000; ++i) {
      std::string line = "line " + std::to_string(i) + "\n";
      expected += line;
      (*writer)->write(std::move(line));
    }
  }
  BOOST_TEST(slurp(path) == expected);
  BOOST_TEST(dropped.value() == 0u);
}

BOOST_AUTO_TEST_CASE(drops_and_counts_when_the_queue_is_full) {
  TempDir tmp;
  std::string path = tmp.file("access.log");
  stats::Counter dropped;
  auto writer = AccessLogWriter::open(path, dropped, 16);
  BOOST_TEST_REQUIRE(writer.isOk());
  (*writer)->write("this line is longer than sixteen bytes\n");  // can never fit
  BOOST_TEST(dropped.value() == 1u);
  (*writer)->write("short\n");
  (*writer)->flush();
  BOOST_TEST(slurp(path) == "short\n");

  // A burst against a tiny budget: whatever was not dropped is written, in order.
  constexpr int kLines = 5000;
  for (int i = 0; i < kLines; ++i) (*writer)->write("n" + std::to_string(i) + "\n");
  (*writer)->flush();
  std::istringstream lines(slurp(path));
  std::string line;
  std::getline(lines, line);
  BOOST_TEST(line == "short");
  int written = 0;
  int last = -1;
  while (std::getline(lines, line)) {
    int n = std::stoi(line.substr(1));
    BOOST_TEST(n > last);
    last = n;
    ++written;
  }
  BOOST_TEST(written + static_cast<int>(dropped.value()) - 1 == kLines);
  BOOST_TEST(written > 0);
}

BOOST_AUTO_TEST_CASE(reopen_follows_a_rotated_file) {
  TempDir tmp;
  std::string path = tmp.file("access.log");
  std::string rotated = tmp.file("access.log.1");
  stats::Counter dropped;
  auto writer = AccessLogWriter::open(path, dropped);
  BOOST_TEST_REQUIRE(writer.isOk());
  (*writer)->write("before\n");
  (*writer)->flush();
  std::filesystem::rename(path, rotated);
  (*writer)->write("still old\n");  // not reopened yet: goes to the renamed file
  (*writer)->flush();
  (*writer)->reopen();
  (*writer)->write("after\n");
  (*writer)->flush();
  BOOST_TEST(slurp(rotated) == "before\nstill old\n");
  BOOST_TEST(slurp(path) == "after\n");
}

BOOST_AUTO_TEST_CASE(open_failure_is_an_error) {
  stats::Counter dropped;
  auto writer = AccessLogWriter::open("/nonexistent-dir/x/access.log", dropped);
  BOOST_TEST_REQUIRE(!writer.isOk());
  BOOST_TEST(writer.status().message().find("/nonexistent-dir/x/access.log") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::access_log
