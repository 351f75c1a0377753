// ScriptedOrigin: see scripted_origin.h.
#include "tests/integration/scripted_origin.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>

namespace weft::itest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Waits for `events` on `fd` until `deadline`; true if they came.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  pollfd pfd{fd, events, 0};
  return ::poll(&pfd, 1, static_cast<int>(left < 0 ? 0 : left)) == 1;
}

}  // namespace

ScriptedOrigin::ScriptedOrigin() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(listen_fd_ >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  BOOST_REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  BOOST_REQUIRE(::listen(listen_fd_, 16) == 0);
  BOOST_REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  port_ = ntohs(addr.sin_port);
}

ScriptedOrigin::~ScriptedOrigin() {
  hangUp();
  ::close(listen_fd_);
}

bool ScriptedOrigin::accept(milliseconds timeout) {
  hangUp();
  if (!waitFor(listen_fd_, POLLIN, Clock::now() + timeout)) return false;
  fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  return fd_ >= 0;
}

std::optional<std::string> ScriptedOrigin::readHead(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    size_t end = in_.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = in_.substr(0, end + 4);
      in_.erase(0, end + 4);
      return head;
    }
    if (fd_ < 0 || !waitFor(fd_, POLLIN, deadline)) return std::nullopt;
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    in_.append(buffer, static_cast<size_t>(n));
  }
}

bool ScriptedOrigin::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void ScriptedOrigin::hangUp() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
}

bool ScriptedOrigin::waitForPeerClose(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (fd_ >= 0 && waitFor(fd_, POLLIN, deadline)) {
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EINTR)) return true;
  }
  return false;
}

}  // namespace weft::itest
