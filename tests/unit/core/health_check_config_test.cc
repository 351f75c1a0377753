// Tests of the `health_checks:` reader (core/config/health_check_config.h): every field read
// back, Envoy's defaults, and one test per kind of error with its exact text.
#include "core/config/health_check_config.h"

#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <string>

namespace weft::config {
namespace {

struct Parsed {
  std::optional<HealthCheck> check;
  std::string error = "OK";
};

// Reads the `health_checks:` key of `text` (raw strings start on the line after R"(, so the
// first newline is dropped and line numbers count from the first line of YAML).
Parsed parse(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  const YAML::Node root = YAML::Load(std::string(text));
  FieldErrors errors("hc.yaml");
  Parsed parsed;
  const FieldMap map(Field{root, root.Mark(), ""}, {}, errors);
  if (auto field = map.get("health_checks")) readHealthChecks(*field, errors, parsed.check);
  if (!errors.ok()) parsed.error = errors.status().message();
  return parsed;
}

std::string errorOf(std::string_view text) { return parse(text).error; }

}  // namespace

BOOST_AUTO_TEST_SUITE(health_check_config)

BOOST_AUTO_TEST_CASE(http_check_reads_back_every_field) {
  Parsed parsed = parse(R"(
health_checks:
  - timeout: 250ms
    interval: 2s
    interval_jitter: 100ms
    unhealthy_threshold: 4
    healthy_threshold: 1
    http_health_check:
      path: /healthz?full=1
      host: backend.internal
      expected_statuses: [ { start: 200, end: 300 }, { start: 404, end: 405 } ]
)");
  BOOST_REQUIRE_MESSAGE(parsed.check.has_value(), parsed.error);
  const HealthCheck& check = *parsed.check;
  BOOST_TEST(check.timeout_ms == 250u);
  BOOST_TEST(check.interval_ms == 2000u);
  BOOST_TEST(check.interval_jitter_ms == 100u);
  BOOST_TEST(check.unhealthy_threshold == 4u);
  BOOST_TEST(check.healthy_threshold == 1u);
  BOOST_TEST(!check.tcp.has_value());
  BOOST_REQUIRE(check.http.has_value());
  BOOST_TEST(check.http->path == "/healthz?full=1");
  BOOST_TEST(check.http->host == "backend.internal");
  BOOST_TEST((check.http->expected_statuses ==
              std::vector<StatusRange>{StatusRange{200, 300}, StatusRange{404, 405}}));
  BOOST_TEST(check.http->expects(299));
  BOOST_TEST(check.http->expects(404));
  BOOST_TEST(!check.http->expects(300));
  BOOST_TEST(!check.http->expects(405));
}

BOOST_AUTO_TEST_CASE(http_defaults_are_envoys) {
  Parsed parsed = parse(R"(
health_checks:
  - { timeout: 1s, interval: 5s, unhealthy_threshold: 2, healthy_threshold: 2,
      http_health_check: { path: / } }
)");
  BOOST_REQUIRE_MESSAGE(parsed.check.has_value(), parsed.error);
  BOOST_TEST(parsed.check->interval_jitter_ms == 0u);
  BOOST_TEST(parsed.check->http->host.empty());  // the cluster's name
  BOOST_TEST(parsed.check->http->expects(200));  // 200 only
  BOOST_TEST(!parsed.check->http->expects(201));
  BOOST_TEST(!parsed.check->http->expects(199));
}

BOOST_AUTO_TEST_CASE(tcp_check_decodes_hex_payloads) {
  Parsed parsed = parse(R"(
health_checks:
  - timeout: 1s
    interval: 1s
    unhealthy_threshold: 1
    healthy_threshold: 1
    tcp_health_check:
      send: { text: "50494e470d0A" }
      receive: [ { text: "504F4E47" }, { text: "00ff" } ]
)");
  BOOST_REQUIRE_MESSAGE(parsed.check.has_value(), parsed.error);
  BOOST_REQUIRE(parsed.check->tcp.has_value());
  BOOST_TEST(parsed.check->tcp->send == "PING\r\n");
  BOOST_TEST(
      (parsed.check->tcp->receive == std::vector<std::string>{"PONG", std::string("\0\xff", 2)}));
}

BOOST_AUTO_TEST_CASE(connect_only_tcp_check_and_empty_list) {
  Parsed connect_only = parse(R"(
health_checks:
  - { timeout: 1s, interval: 1s, unhealthy_threshold: 1, healthy_threshold: 1,
      tcp_health_check: {} }
)");
  BOOST_REQUIRE_MESSAGE(connect_only.check.has_value(), connect_only.error);
  BOOST_TEST((*connect_only.check->tcp == TcpHealthCheck{}));

  Parsed none = parse("health_checks: []\n");
  BOOST_TEST(none.error == "OK");
  BOOST_TEST(!none.check.has_value());
}

BOOST_AUTO_TEST_CASE(errors_name_line_and_field) {
  const std::string head = "health_checks:\n  - timeout: 1s\n    interval: 1s\n";
  const std::string thresholds = "    unhealthy_threshold: 1\n    healthy_threshold: 1\n";
  BOOST_TEST(errorOf(head + "    healthy_threshold: 1\n    tcp_health_check: {}\n") ==
             "hc.yaml:2: health_checks[0].unhealthy_threshold: missing required field");
  BOOST_TEST(errorOf(head + "    unhealthy_threshold: 0\n    healthy_threshold: 1\n") ==
             "hc.yaml:4: health_checks[0].unhealthy_threshold: must be an integer 1..1000000, "
             "got \"0\"");
  BOOST_TEST(errorOf("health_checks:\n  - timeout: 0s\n    interval: 1s\n" + thresholds +
                     "    tcp_health_check: {}\n") ==
             "hc.yaml:2: health_checks[0].timeout: must be at least 1ms, got \"0s\"");
  BOOST_TEST(errorOf(head + thresholds) ==
             "hc.yaml:2: health_checks[0]: needs http_health_check or tcp_health_check");
  BOOST_TEST(errorOf(head + thresholds +
                     "    http_health_check: { path: / }\n    tcp_health_check: {}\n") ==
             "hc.yaml:7: health_checks[0].tcp_health_check: give either http_health_check or "
             "tcp_health_check, not both");
  BOOST_TEST(errorOf(head + thresholds + "    grpc_health_check: {}\n") ==
             "hc.yaml:6: health_checks[0].grpc_health_check: unknown field (expected one of: "
             "timeout, interval, interval_jitter, unhealthy_threshold, healthy_threshold, "
             "http_health_check, tcp_health_check)");
  BOOST_TEST(errorOf(head + thresholds + "    http_health_check: { host: a }\n") ==
             "hc.yaml:6: health_checks[0].http_health_check.path: missing required field");
  BOOST_TEST(errorOf(head + thresholds + "    http_health_check: { path: healthz }\n") ==
             "hc.yaml:6: health_checks[0].http_health_check.path: must start with \"/\", got "
             "\"healthz\"");
  BOOST_TEST(errorOf(head + thresholds + "    http_health_check: { path: \"/a b\" }\n") ==
             "hc.yaml:6: health_checks[0].http_health_check.path: must not contain spaces or "
             "control characters");
  BOOST_TEST(
      errorOf(head + thresholds + "    http_health_check: { path: /, host: \"a\\r\\nX: y\" }\n") ==
      "hc.yaml:6: health_checks[0].http_health_check.host: must not contain spaces or "
      "control characters");
}

BOOST_AUTO_TEST_CASE(status_range_errors) {
  const std::string check =
      "health_checks:\n  - { timeout: 1s, interval: 1s, unhealthy_threshold: 1, "
      "healthy_threshold: 1,\n      http_health_check: { path: /, expected_statuses: ";
  BOOST_TEST(errorOf(check + "[] } }\n") ==
             "hc.yaml:3: health_checks[0].http_health_check.expected_statuses: must not be empty");
  BOOST_TEST(errorOf(check + "[ { start: 300, end: 300 } ] } }\n") ==
             "hc.yaml:3: health_checks[0].http_health_check.expected_statuses[0].end: must be "
             "greater than start (300): the range is [start, end)");
  BOOST_TEST(errorOf(check + "[ { start: 99, end: 300 } ] } }\n") ==
             "hc.yaml:3: health_checks[0].http_health_check.expected_statuses[0].start: must be "
             "an integer 100..599, got \"99\"");
  BOOST_TEST(errorOf(check + "[ { start: 200 } ] } }\n") ==
             "hc.yaml:3: health_checks[0].http_health_check.expected_statuses[0].end: missing "
             "required field");
}

BOOST_AUTO_TEST_CASE(payload_and_list_errors) {
  const std::string check =
      "health_checks:\n  - { timeout: 1s, interval: 1s, unhealthy_threshold: 1, "
      "healthy_threshold: 1,\n      tcp_health_check: ";
  BOOST_TEST(errorOf(check + "{ send: { text: \"abc\" } } }\n") ==
             "hc.yaml:3: health_checks[0].tcp_health_check.send.text: must be pairs of hex "
             "digits, got \"abc\"");
  BOOST_TEST(errorOf(check + "{ receive: [ { text: \"zz\" } ] } }\n") ==
             "hc.yaml:3: health_checks[0].tcp_health_check.receive[0].text: must be pairs of hex "
             "digits, got \"zz\"");
  BOOST_TEST(errorOf(check + "{ send: { binary: \"AAE=\" } } }\n") ==
             "hc.yaml:3: health_checks[0].tcp_health_check.send.binary: unknown field (expected "
             "one of: text)");
  const std::string one =
      "  - { timeout: 1s, interval: 1s, unhealthy_threshold: 1, healthy_threshold: 1, "
      "tcp_health_check: {} }\n";
  BOOST_TEST(errorOf("health_checks:\n" + one + one) ==
             "hc.yaml:3: health_checks[1]: only one health check per cluster is supported");
  BOOST_TEST(errorOf("health_checks: { timeout: 1s }\n") ==
             "hc.yaml:1: health_checks: must be a list, got a map");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::config
