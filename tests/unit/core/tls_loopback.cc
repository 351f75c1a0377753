// TlsLoopback and Peer: see tls_loopback.h.
#include "tests/unit/core/tls_loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <stdexcept>

#include "core/tls/tls_session.h"

namespace weft::testing {
namespace {

constexpr int kDeadlineSeconds = 10;
constexpr unsigned char kHandshakeRecord = 0x16;

}  // namespace

void Peer::attach(std::unique_ptr<network::Connection> connection) {
  connection_ = std::move(connection);
}

void Peer::send(std::string_view data) {
  evbuffer_add(connection_->output(), data.data(), data.size());
  connection_->flush();
}

const tls::TlsInfo& Peer::info() {
  const tls::TlsInfo* info = connection_->tlsInfo();
  if (info == nullptr) throw std::runtime_error("no TLS info: the handshake has not completed");
  return *info;
}

void Peer::onConnected() {
  connected = true;
  tls_info_at_connect = connection_->tlsInfo() != nullptr;
}

void Peer::onReadable() {
  evbuffer* input = connection_->input();
  largest_input = std::max(largest_input, evbuffer_get_length(input));
  if (sniff_ != nullptr && !sniffed_) {
    // What a listener does: look at the first byte, then hand what was read to TLS.
    sniffed_ = true;
    const unsigned char* first = evbuffer_pullup(input, 1);
    if (first != nullptr && *first == kHandshakeRecord) {
      connection_->startTls(sniff_->newSession());
      return;
    }
  }
  if (role_ == Role::kEcho) {
    echo();
    return;
  }
  const size_t length = evbuffer_get_length(input);
  received.append(reinterpret_cast<const char*>(evbuffer_pullup(input, -1)), length);
  evbuffer_drain(input, length);
  connection_->resumeReading();
}

void Peer::echo() {
  evbuffer* input = connection_->input();
  evbuffer* output = connection_->output();
  const size_t queued = evbuffer_get_length(output);
  if (queued < echo_limit) {
    evbuffer_remove_buffer(input, output, echo_limit - queued);
    connection_->flush();
    connection_->resumeReading();
  }
  const bool blocked = evbuffer_get_length(input) > 0;
  connection_->readDisable(blocked);
  if (blocked) connection_->watchDrain();
}

void Peer::onWriteDrained() {
  if (role_ == Role::kEcho) echo();
}

TlsLoopback::TlsLoopback() {
  Result<network::Address> address = network::parseAddress("127.0.0.1", 0);
  Result<int> fd = network::listenReusePort(*address, 64);
  if (!fd) throw std::runtime_error("cannot listen: " + fd.status().message());
  port_ = network::localAddressOf(*fd).port();
  listener_ = std::make_unique<network::Listener>(
      loop_.base(), *fd, [this](evutil_socket_t accepted, const network::Address&) {
        auto peer = std::make_unique<Peer>(server_role_);
        peer->sniffWith(server_context_);
        peer->attach(
            std::make_unique<network::Connection>(loop_.base(), accepted, *peer, server_marks_));
        servers_.push_back(std::move(peer));
      });
}

TlsLoopback::~TlsLoopback() {
  listener_.reset();
  servers_.clear();
  clients_.clear();
}

void TlsLoopback::serve(tls::ServerContext* context, Peer::Role role,
                        network::Connection::Watermarks marks) {
  server_context_ = context;
  server_role_ = role;
  server_marks_ = marks;
}

Peer& TlsLoopback::connect(tls::ClientContext& context, std::string_view host,
                           std::string_view endpoint_key, network::Connection::Watermarks marks) {
  auto peer = std::make_unique<Peer>(Peer::Role::kCollect);
  bool ok = false;
  Result<network::Address> address = network::parseAddress("127.0.0.1", port_);
  auto connection = std::make_unique<network::Connection>(loop_.base(), *address, *peer, marks, ok);
  if (!ok) throw std::runtime_error("connect to 127.0.0.1 failed at once");
  tls::SessionPtr session = context.newSession(host, endpoint_key);
  if (!session) throw std::runtime_error("no TLS session");
  connection->startTls(std::move(session));
  peer->attach(std::move(connection));
  clients_.push_back(std::move(peer));
  return *clients_.back();
}

bool TlsLoopback::runUntil(const std::function<bool()>& done) {
  bool expired = false;
  event::EventPtr deadline(evtimer_new(
      loop_.base(), [](evutil_socket_t, short, void* flag) { *static_cast<bool*>(flag) = true; },
      &expired));
  const timeval limit{kDeadlineSeconds, 0};
  evtimer_add(deadline.get(), &limit);
  while (!done() && !expired) event_base_loop(loop_.base(), EVLOOP_ONCE);
  return done();
}

int connectBlocking(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const timeval timeout{kDeadlineSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace weft::testing
