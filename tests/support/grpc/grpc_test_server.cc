// weft-grpc-test-server: a real gRPC C++ server (libgrpc++) that Weft's proxy tests put behind
// the proxy. It serves weft.test.v1.Echo (echo.proto: one method per call shape) over plaintext
// HTTP/2 on loopback, messages up to 64 MiB each way.
//
//   weft-grpc-test-server [--port 0] [--name NAME]
//
// Prints one line "listening on 127.0.0.1:<port>" once bound (port 0 picks a free one), then
// serves until SIGTERM or SIGINT, cancels calls still running after a short grace period and
// exits 0. Every call carries the initial metadata x-server-name: NAME and the trailing metadata
// x-trailer: done, whatever its status. Requests are checked first: a negative count, size or
// delay, or a fail_code outside 0..16, ends the call with INVALID_ARGUMENT. What each method
// does with delay_ms, fail_code, reply_count and reply_size is described in echo.proto.
//
// Threads: gRPC's synchronous server runs each call on a thread of its own pool; the service
// keeps no state between calls. main() only waits for the signal.
#include <fcntl.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_context.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "tests/support/grpc/echo.grpc.pb.h"
#include "tests/support/grpc/echo_payload.h"
#include "tests/support/grpc/program_args.h"

namespace {

namespace v1 = weft::test::v1;
using weft::grpctest::parseInteger;
using weft::grpctest::patternPayload;

// Messages up to this size are accepted both ways (gRPC's default receive limit is 4 MiB).
constexpr int kMaxMessageBytes = 64 << 20;
// How often a delayed call looks whether it has been cancelled or has run out of time.
constexpr auto kDelayStep = std::chrono::milliseconds(5);
// How long calls may keep running after SIGTERM before they are cancelled.
constexpr auto kShutdownGrace = std::chrono::seconds(2);
constexpr int kMaxStatusCode = 16;  // grpc::UNAUTHENTICATED, the last code gRPC defines

class EchoService final : public v1::Echo::Service {
 public:
  explicit EchoService(std::string name) : name_(std::move(name)) {}

  grpc::Status Unary(grpc::ServerContext* context, const v1::EchoRequest* request,
                     v1::EchoReply* reply) override {
    startCall(*context);
    grpc::Status status = checkRequest(*request);
    if (status.ok()) status = wait(*context, request->delay_ms());
    if (status.ok()) status = requestedFailure(*request);
    if (!status.ok()) return status;
    *reply = makeReply(*context, *request, echoOrGenerated(*request, 0), 0,
                       static_cast<int64_t>(request->payload().size()));
    return grpc::Status::OK;
  }

  grpc::Status ClientStream(grpc::ServerContext* context,
                            grpc::ServerReader<v1::EchoRequest>* reader,
                            v1::EchoReply* reply) override {
    startCall(*context);
    v1::EchoRequest first;
    v1::EchoRequest request;
    int64_t received = 0;
    for (bool have_first = false; reader->Read(&request);) {
      received += static_cast<int64_t>(request.payload().size());
      if (!have_first) {
        first = request;
        have_first = true;
      }
    }
    grpc::Status status = checkRequest(first);
    if (status.ok()) status = wait(*context, first.delay_ms());
    if (status.ok()) status = requestedFailure(first);
    if (!status.ok()) return status;
    *reply = makeReply(*context, first, patternPayload(first.reply_size(), 0), 0, received);
    return grpc::Status::OK;
  }

  grpc::Status ServerStream(grpc::ServerContext* context, const v1::EchoRequest* request,
                            grpc::ServerWriter<v1::EchoReply>* writer) override {
    startCall(*context);
    if (grpc::Status status = checkRequest(*request); !status.ok()) return status;
    auto received = static_cast<int64_t>(request->payload().size());
    for (int index = 0; index < request->reply_count(); ++index) {
      if (grpc::Status status = wait(*context, request->delay_ms()); !status.ok()) return status;
      if (!writer->Write(
              makeReply(*context, *request, echoOrGenerated(*request, index), index, received))) {
        return grpc::Status::CANCELLED;  // the client went away
      }
    }
    return requestedFailure(*request);
  }

  grpc::Status Bidi(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<v1::EchoReply, v1::EchoRequest>* stream) override {
    startCall(*context);
    v1::EchoRequest request;
    int64_t received = 0;
    for (int index = 0; stream->Read(&request); ++index) {
      received += static_cast<int64_t>(request.payload().size());
      grpc::Status status = checkRequest(request);
      if (status.ok()) status = wait(*context, request.delay_ms());
      if (status.ok()) status = requestedFailure(request);
      if (!status.ok()) return status;
      if (!stream->Write(
              makeReply(*context, request, echoOrGenerated(request, index), index, received))) {
        return grpc::Status::CANCELLED;
      }
    }
    return grpc::Status::OK;
  }

 private:
  // The metadata every call carries; each method calls this first.
  void startCall(grpc::ServerContext& context) const {
    context.AddInitialMetadata("x-server-name", name_);
    context.AddTrailingMetadata("x-trailer", "done");
  }

  static grpc::Status checkRequest(const v1::EchoRequest& request) {
    if (request.reply_count() < 0 || request.reply_size() < 0 ||
        request.reply_size() > kMaxMessageBytes || request.delay_ms() < 0) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "reply_count, reply_size and delay_ms must not be negative"};
    }
    if (request.fail_code() < 0 || request.fail_code() > kMaxStatusCode) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "fail_code must be within 0..16"};
    }
    return grpc::Status::OK;
  }

  // Waits `delay_ms`, in small steps so that a call cancelled by its client or past its
  // deadline stops waiting at once: OK after the full wait, CANCELLED otherwise.
  static grpc::Status wait(const grpc::ServerContext& context, int delay_ms) {
    using Clock = std::chrono::steady_clock;
    Clock::time_point until = Clock::now() + std::chrono::milliseconds(delay_ms);
    for (Clock::time_point now = Clock::now(); now < until; now = Clock::now()) {
      if (context.IsCancelled()) return grpc::Status::CANCELLED;
      std::this_thread::sleep_for(std::min<Clock::duration>(kDelayStep, until - now));
    }
    return context.IsCancelled() ? grpc::Status::CANCELLED : grpc::Status::OK;
  }

  static grpc::Status requestedFailure(const v1::EchoRequest& request) {
    if (request.fail_code() == 0) return grpc::Status::OK;
    return {static_cast<grpc::StatusCode>(request.fail_code()), "requested failure"};
  }

  // The payload of reply `index`: reply_size generated bytes, or the request's own payload.
  static std::string echoOrGenerated(const v1::EchoRequest& request, int index) {
    return request.reply_size() > 0 ? patternPayload(request.reply_size(), index)
                                    : request.payload();
  }

  v1::EchoReply makeReply(const grpc::ServerContext& context, const v1::EchoRequest& request,
                          std::string payload, int index, int64_t received) const {
    v1::EchoReply reply;
    reply.set_message(name_ + ": " + request.message());
    reply.set_payload(std::move(payload));
    reply.set_index(index);
    auto test_value = context.client_metadata().find("x-test");
    if (test_value != context.client_metadata().end()) {
      reply.set_peer_metadata(std::string(test_value->second.data(), test_value->second.size()));
    }
    reply.set_received_bytes(received);
    return reply;
  }

  std::string name_;
};

// Written (one byte) by the SIGTERM/SIGINT handler; main() waits on the read end.
int g_stop_pipe[2] = {-1, -1};

extern "C" void onStopSignal(int) {
  char byte = 1;
  [[maybe_unused]] ssize_t ignored = ::write(g_stop_pipe[1], &byte, 1);
}

struct Config {
  int port = 0;
  std::string name = "grpc-server";
};

bool parseArgs(int argc, char** argv, Config& config) {
  for (int i = 1; i < argc; i += 2) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) return false;
    std::string_view value = argv[i + 1];
    if (flag == "--port") {
      auto port = parseInteger(value, 0, 65535);
      if (!port) return false;
      config.port = *port;
    } else if (flag == "--name") {
      config.name = value;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  if (!parseArgs(argc, argv, config)) {
    std::fprintf(stderr, "usage: %s [--port N] [--name NAME]\n", argv[0]);
    return 2;
  }

  // The handler only wakes main() through a pipe: whichever of gRPC's threads the signal lands
  // on, it never takes the default action (which would end the process with no shutdown).
  if (::pipe2(g_stop_pipe, O_CLOEXEC) != 0) {
    std::perror("weft-grpc-test-server: pipe2");
    return 1;
  }
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);

  EchoService service(config.name);
  int bound_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(config.port),
                           grpc::InsecureServerCredentials(), &bound_port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    std::fprintf(stderr, "weft-grpc-test-server: cannot listen on 127.0.0.1:%d\n", config.port);
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", bound_port);
  std::fflush(stdout);

  char byte = 0;
  while (::read(g_stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
  server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  return 0;
}
