// Driving the gRPC test programs (tests/support/grpc/) from a test: a running
// weft-grpc-test-server, one run of weft-grpc-test-client and the report it printed, and checks
// on that report. Used by the programs' own test and by the gRPC-through-the-proxy tests.
// The binaries' paths come from WEFT_GRPC_SERVER_BIN / WEFT_GRPC_CLIENT_BIN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/proxy_fixture.h"
#include "tests/support/grpc/client_report.h"

namespace weft::grpctest {

using itest::ChildProcess;
using std::chrono::milliseconds;

// A running weft-grpc-test-server on a port it picked; stopped (SIGTERM) on destruction.
class GrpcServer {
 public:
  explicit GrpcServer(const std::string& name);

  const std::string& target() const { return target_; }  // "127.0.0.1:<port>"
  uint16_t port() const;
  ChildProcess& process() { return process_; }

 private:
  ChildProcess process_;
  std::string target_;
};

// How one run of weft-grpc-test-client ended.
struct ClientRun {
  int exit_status = -1;
  ClientReport report;
};

// Runs the client against `target` ("host:port") with `args`; fails the test if it hangs or
// prints no report.
ClientRun runClient(const std::string& target, const std::vector<std::string>& args);

// Report fields; a missing one fails the test.
int64_t number(const ClientReport& report, std::string_view key);
std::string text(const ClientReport& report, std::string_view key);

// A call that ended OK with every reply as asked.
void requireOk(const ClientRun& run);

}  // namespace weft::grpctest
