// Tests of what a health check sends and how it judges replies
// (core/upstream/health_check_script.h): the HTTP request, expected statuses, interim responses,
// replies that are not HTTP or too long, and TCP receive blocks.
#include "core/upstream/health_check_script.h"

#include <boost/test/unit_test.hpp>
#include <string>

namespace weft::upstream {
namespace {

using Verdict = HealthCheckScript::Verdict;

config::HealthCheck httpCheck(std::string host = "",
                              std::vector<config::StatusRange> statuses = {{200, 201}}) {
  config::HealthCheck check;
  check.http = config::HttpHealthCheck{"/healthz", std::move(host), std::move(statuses)};
  return check;
}

config::HealthCheck tcpCheck(std::string send, std::vector<std::string> receive) {
  config::HealthCheck check;
  check.tcp = config::TcpHealthCheck{std::move(send), std::move(receive)};
  return check;
}

std::string response(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(health_check_script)

BOOST_AUTO_TEST_CASE(http_request_names_path_and_host) {
  HealthCheckScript named(httpCheck("svc.internal"), "backend");
  BOOST_TEST(named.request() ==
             "GET /healthz HTTP/1.1\r\nHost: svc.internal\r\nUser-Agent: Weft/HC\r\n"
             "Connection: close\r\n\r\n");
  BOOST_TEST(named.awaitsReply());
  HealthCheckScript unnamed(httpCheck(), "backend");
  BOOST_TEST(unnamed.request().find("\r\nHost: backend\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(default_expects_200_only) {
  HealthCheckScript script(httpCheck(), "backend");
  BOOST_TEST((script.judge(response(200)) == Verdict::kHealthy));
  BOOST_TEST((script.judge(response(204)) == Verdict::kUnhealthy));
  BOOST_TEST((script.judge(response(503)) == Verdict::kUnhealthy));
  BOOST_TEST((script.judge("HTTP/1.0 200 OK\r\n\r\n") == Verdict::kHealthy));
}

BOOST_AUTO_TEST_CASE(expected_ranges_are_half_open) {
  HealthCheckScript script(httpCheck("", {{200, 300}, {418, 419}}), "backend");
  BOOST_TEST((script.judge(response(204)) == Verdict::kHealthy));
  BOOST_TEST((script.judge(response(299)) == Verdict::kHealthy));
  BOOST_TEST((script.judge(response(300)) == Verdict::kUnhealthy));
  BOOST_TEST((script.judge(response(418)) == Verdict::kHealthy));
  BOOST_TEST((script.judge(response(419)) == Verdict::kUnhealthy));
}

BOOST_AUTO_TEST_CASE(a_verdict_needs_the_whole_final_head) {
  HealthCheckScript script(httpCheck(), "backend");
  const std::string full = response(200);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    BOOST_TEST((script.judge(full.substr(0, cut)) == Verdict::kIncomplete), cut);
  }
  // Interim responses are skipped: the final one decides.
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n";
  BOOST_TEST((script.judge(interim) == Verdict::kIncomplete));
  BOOST_TEST((script.judge(interim + response(200)) == Verdict::kHealthy));
  BOOST_TEST((script.judge(interim + response(500)) == Verdict::kUnhealthy));
}

BOOST_AUTO_TEST_CASE(replies_that_are_not_http_are_bad) {
  HealthCheckScript script(httpCheck(), "backend");
  BOOST_TEST((script.judge("SSH-2.0-OpenSSH_9.2\r\n\r\n") == Verdict::kBadReply));
  BOOST_TEST((script.judge(std::string("\0\xff\x13junk\r\n\r\n", 11)) == Verdict::kBadReply));
  BOOST_TEST((script.judge("HTTP/1.1 2000 OK\r\n\r\n") == Verdict::kBadReply));
  BOOST_TEST((script.judge("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n") == Verdict::kBadReply));
  BOOST_TEST((script.judge("HTTP/1.1 200 OK\r\nbad header\r\n\r\n") == Verdict::kBadReply));
}

BOOST_AUTO_TEST_CASE(a_reply_without_verdict_in_the_allowance_is_bad) {
  HealthCheckScript script(httpCheck(), "backend");
  const size_t max = HealthCheckScript::kMaxReplyBytes;
  BOOST_TEST((script.judge(std::string(max - 1, 'a')) == Verdict::kIncomplete));
  BOOST_TEST((script.judge(std::string(max, 'a')) == Verdict::kBadReply));
  const std::string long_head = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(max, 'a');
  BOOST_TEST((script.judge(long_head) == Verdict::kBadReply));
  BOOST_TEST((script.judge(long_head + "\r\n\r\n") == Verdict::kBadReply));
}

BOOST_AUTO_TEST_CASE(tcp_blocks_must_appear_in_order) {
  HealthCheckScript script(tcpCheck("PING", {"PONG", "OK"}), "backend");
  BOOST_TEST(script.request() == "PING");
  BOOST_TEST(script.awaitsReply());
  BOOST_TEST((script.judge("") == Verdict::kIncomplete));
  BOOST_TEST((script.judge("xxPON") == Verdict::kIncomplete));
  BOOST_TEST((script.judge("xxPONGyy") == Verdict::kIncomplete));
  BOOST_TEST((script.judge("xxPONGyyOKzz") == Verdict::kHealthy));
  BOOST_TEST((script.judge("PONGOK") == Verdict::kHealthy));
  BOOST_TEST((script.judge("OK PONG") == Verdict::kIncomplete));  // out of order
  BOOST_TEST((script.judge("OK PONG" + std::string(HealthCheckScript::kMaxReplyBytes, ' ')) ==
              Verdict::kBadReply));
}

BOOST_AUTO_TEST_CASE(tcp_without_receive_awaits_no_reply) {
  HealthCheckScript connect_only(tcpCheck("", {}), "backend");
  BOOST_TEST(connect_only.request().empty());
  BOOST_TEST(!connect_only.awaitsReply());
  HealthCheckScript send_only(tcpCheck("HELLO", {}), "backend");
  BOOST_TEST(send_only.request() == "HELLO");
  BOOST_TEST(!send_only.awaitsReply());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::upstream
