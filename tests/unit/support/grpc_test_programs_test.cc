// Checks weft-grpc-test-server and weft-grpc-test-client against each other with nothing in
// between, so that a proxy test that fails through weft-proxy can blame the proxy: every call
// shape, 8 MiB each way in 64 KiB messages, deadlines, requested failures, metadata and
// trailers, load mode, exit statuses, and the report parser the proxy tests read them with.
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/grpc_programs.h"

namespace weft::grpctest {
namespace {

constexpr int64_t kMiB = 1 << 20;

struct ServerFixture {
  GrpcServer server{"alpha"};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(grpc_test_programs, ServerFixture)

BOOST_AUTO_TEST_CASE(unary_echoes_payload_metadata_and_trailer) {
  ClientRun run = runClient(
      server.target(), {"--rpc", "unary", "--size", "1000", "--metadata", "x-test=from-client"});
  requireOk(run);
  BOOST_TEST(number(run.report, "replies") == 1);
  BOOST_TEST(number(run.report, "reply_bytes") == 1000);
  BOOST_TEST(number(run.report, "received_bytes") == 1000);
  BOOST_TEST(text(run.report, "server") == "alpha");
  BOOST_TEST(text(run.report, "trailer") == "done");
  BOOST_TEST(text(run.report, "peer_metadata") == "from-client");
  BOOST_TEST(text(run.report, "reply_message") == "alpha: hello");
}

BOOST_AUTO_TEST_CASE(unary_reply_size_sets_the_reply_payload) {
  ClientRun run = runClient(server.target(), {"--size", "10", "--reply-size", "70000"});
  requireOk(run);
  BOOST_TEST(number(run.report, "reply_bytes") == 70000);
  BOOST_TEST(text(run.report, "peer_metadata") == "");  // no x-test sent
}

BOOST_AUTO_TEST_CASE(client_stream_carries_8_mib_in_64_kib_messages) {
  ClientRun run =
      runClient(server.target(), {"--rpc", "client_stream", "--count", "128", "--size", "65536"});
  requireOk(run);
  BOOST_TEST(number(run.report, "replies") == 1);
  BOOST_TEST(number(run.report, "received_bytes") == 8 * kMiB);
  BOOST_TEST(text(run.report, "trailer") == "done");
}

BOOST_AUTO_TEST_CASE(server_stream_sends_8_mib_in_64_kib_replies) {
  ClientRun run = runClient(
      server.target(), {"--rpc", "server_stream", "--reply-count", "128", "--reply-size", "65536"});
  requireOk(run);
  BOOST_TEST(number(run.report, "replies") == 128);
  BOOST_TEST(number(run.report, "reply_bytes") == 8 * kMiB);
  BOOST_TEST(text(run.report, "server") == "alpha");
}

BOOST_AUTO_TEST_CASE(bidi_echoes_each_message_as_it_arrives) {
  ClientRun run = runClient(server.target(), {"--rpc", "bidi", "--count", "20", "--size", "300",
                                              "--metadata", "x-test=bidi"});
  requireOk(run);
  BOOST_TEST(number(run.report, "replies") == 20);
  BOOST_TEST(number(run.report, "reply_bytes") == 20 * 300);
  BOOST_TEST(number(run.report, "received_bytes") == 20 * 300);  // the server's running total
  BOOST_TEST(text(run.report, "peer_metadata") == "bidi");
  BOOST_TEST(text(run.report, "trailer") == "done");
}

BOOST_AUTO_TEST_CASE(bidi_carries_8_mib_both_ways) {
  ClientRun run =
      runClient(server.target(), {"--rpc", "bidi", "--count", "128", "--size", "65536"});
  requireOk(run);
  BOOST_TEST(number(run.report, "reply_bytes") == 8 * kMiB);
}

BOOST_AUTO_TEST_CASE(deadline_shorter_than_the_delay_ends_with_deadline_exceeded) {
  std::vector<std::string> args{"--delay-ms", "500", "--deadline-ms", "100"};
  ClientRun unexpected = runClient(server.target(), args);
  BOOST_TEST(number(unexpected.report, "status") == 4);
  BOOST_TEST(unexpected.exit_status == 1);

  args.insert(args.end(), {"--expect-code", "4"});
  ClientRun expected = runClient(server.target(), args);
  BOOST_TEST(number(expected.report, "status") == 4);
  BOOST_TEST(number(expected.report, "replies") == 0);
  BOOST_TEST(number(expected.report, "elapsed_us") < 450000);
  BOOST_TEST(expected.exit_status == 0);
}

BOOST_AUTO_TEST_CASE(delay_within_the_deadline_succeeds) {
  ClientRun run = runClient(server.target(), {"--delay-ms", "100", "--deadline-ms", "5000"});
  requireOk(run);
  BOOST_TEST(number(run.report, "elapsed_us") >= 100000);
}

BOOST_AUTO_TEST_CASE(fail_code_ends_the_call_with_that_status_and_the_trailer) {
  ClientRun unexpected = runClient(server.target(), {"--fail-code", "7"});
  BOOST_TEST(number(unexpected.report, "status") == 7);
  BOOST_TEST(unexpected.exit_status == 1);

  ClientRun expected = runClient(server.target(), {"--fail-code", "7", "--expect-code", "7"});
  BOOST_TEST(number(expected.report, "status") == 7);
  BOOST_TEST(text(expected.report, "message") == "requested failure");
  BOOST_TEST(text(expected.report, "server") == "alpha");
  BOOST_TEST(text(expected.report, "trailer") == "done");
  BOOST_TEST(expected.exit_status == 0);
}

BOOST_AUTO_TEST_CASE(server_stream_fails_after_its_replies) {
  ClientRun run =
      runClient(server.target(), {"--rpc", "server_stream", "--reply-count", "3", "--reply-size",
                                  "100", "--fail-code", "9", "--expect-code", "9"});
  BOOST_TEST(number(run.report, "status") == 9);
  BOOST_TEST(number(run.report, "replies") == 3);
  BOOST_TEST(text(run.report, "trailer") == "done");
  BOOST_TEST(run.exit_status == 0);
}

BOOST_AUTO_TEST_CASE(repeat_and_concurrency_report_counts_and_latencies) {
  ClientRun run =
      runClient(server.target(), {"--repeat", "40", "--concurrency", "4", "--size", "100"});
  BOOST_TEST(number(run.report, "rpcs") == 40);
  BOOST_TEST(number(run.report, "ok") == 40);
  BOOST_TEST(number(run.report, "failed") == 0);
  BOOST_TEST(number(run.report, "p50_us") > 0);
  BOOST_TEST(number(run.report, "p99_us") >= number(run.report, "p50_us"));
  BOOST_TEST(text(run.report, "first_failure") == "");
  BOOST_TEST(run.exit_status == 0);
}

BOOST_AUTO_TEST_CASE(repeat_counts_unexpected_statuses_as_failed) {
  ClientRun run = runClient(server.target(), {"--repeat", "5", "--fail-code", "7"});
  BOOST_TEST(number(run.report, "ok") == 0);
  BOOST_TEST(number(run.report, "failed") == 5);
  BOOST_TEST(text(run.report, "first_failure") == "status 7: requested failure");
  BOOST_TEST(run.exit_status == 1);
}

BOOST_AUTO_TEST_CASE(server_exits_cleanly_on_sigterm) {
  requireOk(runClient(server.target(), {}));
  BOOST_TEST(server.process().stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(server_exits_cleanly_on_sigint) {
  GrpcServer server("beta");
  server.process().signal(SIGINT);
  BOOST_TEST((server.process().waitExit(milliseconds(5000)) == std::optional<int>(0)));
}

BOOST_AUTO_TEST_CASE(client_rejects_bad_flags) {
  ChildProcess client({WEFT_GRPC_CLIENT_BIN, "--target", "127.0.0.1:1", "--rpc", "sideways"});
  BOOST_TEST((client.waitExit(milliseconds(5000)) == std::optional<int>(2)));
}

BOOST_AUTO_TEST_CASE(report_parser_reads_strings_and_integers) {
  auto report = ClientReport::parse(
      R"({"status": 0, "message": "a \"quoted\" \\ line\u000a", "elapsed_us": -12})");
  BOOST_REQUIRE(report);
  BOOST_TEST((report->number("status") == std::optional<int64_t>(0)));
  BOOST_TEST((report->number("elapsed_us") == std::optional<int64_t>(-12)));
  BOOST_TEST((report->text("message") == std::optional<std::string>("a \"quoted\" \\ line\n")));
  BOOST_TEST(!report->text("status"));
  BOOST_TEST(!report->number("absent"));

  BOOST_TEST(!ClientReport::parse(R"({"status": 0,})"));
  BOOST_TEST(!ClientReport::parse(R"({"nested": {"a": 1}})"));
  BOOST_TEST(!ClientReport::parse(R"({"status": 0} trailing)"));
  BOOST_TEST(!ClientReport::parse("listening on 127.0.0.1:1"));
  BOOST_TEST((lastClientReport("noise\n{\"a\": 1}\n{\"a\": 2}\n")->number("a") ==
              std::optional<int64_t>(2)));
}

}  // namespace weft::grpctest
