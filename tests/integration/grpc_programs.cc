// Driving the gRPC test programs: see grpc_programs.h.
#include "tests/integration/grpc_programs.h"

#include <boost/test/unit_test.hpp>

namespace weft::grpctest {

namespace {
constexpr std::string_view kListening = "listening on ";
}  // namespace

GrpcServer::GrpcServer(const std::string& name)
    : process_({WEFT_GRPC_SERVER_BIN, "--port", "0", "--name", name}) {
  auto line = process_.waitForLine(kListening, milliseconds(10000));
  BOOST_REQUIRE_MESSAGE(line, "weft-grpc-test-server printed no address; stderr:\n"
                                  << process_.stderrText());
  target_ = line->substr(kListening.size());
}

uint16_t GrpcServer::port() const {
  return static_cast<uint16_t>(std::stoi(target_.substr(target_.rfind(':') + 1)));
}

ClientRun runClient(const std::string& target, const std::vector<std::string>& args) {
  std::vector<std::string> argv{WEFT_GRPC_CLIENT_BIN, "--target", target};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess client(argv);
  auto status = client.waitExit(milliseconds(60000));
  BOOST_REQUIRE_MESSAGE(status, "weft-grpc-test-client did not finish");
  client.waitForOutputEnd(milliseconds(5000));
  auto report = lastClientReport(client.stdoutText());
  BOOST_REQUIRE_MESSAGE(report, "no JSON line from weft-grpc-test-client; stdout:\n"
                                    << client.stdoutText() << "stderr:\n"
                                    << client.stderrText());
  return {*status, *report};
}

int64_t number(const ClientReport& report, std::string_view key) {
  auto value = report.number(key);
  BOOST_REQUIRE_MESSAGE(value, "the report has no integer \"" << key << "\"");
  return *value;
}

std::string text(const ClientReport& report, std::string_view key) {
  auto value = report.text(key);
  BOOST_REQUIRE_MESSAGE(value, "the report has no string \"" << key << "\"");
  return *value;
}

// A call that ended OK with every reply as asked.
void requireOk(const ClientRun& run) {
  BOOST_TEST(number(run.report, "status") == 0);
  BOOST_TEST(text(run.report, "message") == "");
  BOOST_TEST(text(run.report, "verify_error") == "");
  BOOST_TEST(run.exit_status == 0);
}

}  // namespace weft::grpctest
