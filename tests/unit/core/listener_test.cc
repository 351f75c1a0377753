// network::Listener on a real loop and real loopback sockets: accepted sockets come non-blocking,
// close-on-exec and with TCP_NODELAY (inherited from listenReusePort's socket) and with the peer's
// address; a burst of connections is accepted one per readiness event without losing any; when
// accept() runs out of file descriptors, accepting pauses instead of spinning, and resumes.
#include "core/network/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <ctime>
#include <vector>

#include "core/network/address.h"
#include "tests/unit/core/run_loop.h"

namespace weft::network {
namespace {

using Clock = std::chrono::steady_clock;

// A listener on 127.0.0.1 (a kernel-chosen port) that keeps what it accepts.
struct Accepting {
  explicit Accepting(event::EventLoop& loop) {
    Result<Address> address = parseAddress("127.0.0.1", 0);
    BOOST_REQUIRE(address.isOk());
    Result<int> fd = listenReusePort(*address, 128);
    BOOST_REQUIRE(fd.isOk());
    Address bound = localAddressOf(*fd);
    port = ntohs(reinterpret_cast<const sockaddr_in*>(&bound.storage)->sin_port);
    listener =
        std::make_unique<Listener>(loop.base(), *fd, [this](int client, const Address& peer) {
          accepted.push_back(client);
          peers.push_back(peer.toString());
          times.push_back(Clock::now());
        });
  }
  ~Accepting() {
    for (int fd : accepted) close(fd);
  }

  // A blocking client connection; the kernel completes it from the backlog without accept().
  int connectClient() const {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE_EQUAL(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
    return fd;
  }

  uint16_t port = 0;
  std::unique_ptr<Listener> listener;
  std::vector<int> accepted;
  std::vector<std::string> peers;
  std::vector<Clock::time_point> times;
};

std::string localName(int fd) { return localAddressOf(fd).toString(); }

double processCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

BOOST_AUTO_TEST_SUITE(listener)

BOOST_AUTO_TEST_CASE(accepted_sockets_are_nonblocking_cloexec_nodelay_with_the_peer_address) {
  event::EventLoop loop;
  Accepting server(loop);
  int client = server.connectClient();
  BOOST_REQUIRE(event::runUntil(loop, [&] { return !server.accepted.empty(); }));
  int fd = server.accepted[0];
  BOOST_CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
  BOOST_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  int nodelay = 0;
  socklen_t length = sizeof(nodelay);
  BOOST_REQUIRE_EQUAL(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &length), 0);
  BOOST_CHECK_EQUAL(nodelay, 1);
  BOOST_CHECK_EQUAL(server.peers[0], localName(client));
  close(client);
}

BOOST_AUTO_TEST_CASE(a_burst_of_connections_is_accepted_whole) {
  event::EventLoop loop;
  Accepting server(loop);
  std::vector<int> clients;
  for (int i = 0; i < 50; ++i) clients.push_back(server.connectClient());
  BOOST_REQUIRE(event::runUntil(loop, [&] { return server.accepted.size() == clients.size(); }));
  std::vector<std::string> expected;
  for (int fd : clients) expected.push_back(localName(fd));
  std::sort(expected.begin(), expected.end());
  std::sort(server.peers.begin(), server.peers.end());
  BOOST_CHECK(server.peers == expected);
  for (int fd : clients) close(fd);
}

BOOST_AUTO_TEST_CASE(running_out_of_descriptors_pauses_accepting_then_resumes) {
  event::EventLoop loop;
  Accepting server(loop);
  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(server.connectClient());
  // Room for exactly one more descriptor: every slot up to the highest open one is taken (holes
  // filled), and the limit allows one above it. The first accept works, the second finds EMFILE.
  int highest = 0;
  for (int fd = 0; fd < 4096; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0) highest = fd;
  }
  std::vector<int> fillers;
  for (;;) {
    int fd = dup(0);
    BOOST_REQUIRE_GE(fd, 0);
    if (fd > highest) {
      close(fd);
      break;
    }
    fillers.push_back(fd);
  }
  rlimit saved{};
  BOOST_REQUIRE_EQUAL(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(highest + 2);
  // While the limit is tight nothing is checked: a failing check would need descriptors too (the
  // sanitizers open files to report).
  const bool tightened = setrlimit(RLIMIT_NOFILE, &tight) == 0;
  const double cpu_before = processCpuSeconds();
  const Clock::time_point start = Clock::now();
  const bool first_accepted = event::runUntil(loop, [&] { return !server.accepted.empty(); });
  // The next accept fails; half the pause later nothing more was accepted, and the loop slept.
  event::runUntil(
      loop, [] { return false; }, std::chrono::milliseconds(Listener::kResourcePauseMs / 2));
  const size_t accepted_while_tight = server.accepted.size();
  const double cpu_while_tight = processCpuSeconds() - cpu_before;
  BOOST_REQUIRE_EQUAL(setrlimit(RLIMIT_NOFILE, &saved), 0);
  for (int fd : fillers) close(fd);

  BOOST_REQUIRE(tightened);
  BOOST_REQUIRE(first_accepted);
  BOOST_CHECK_EQUAL(accepted_while_tight, 1u);
  BOOST_CHECK_LT(cpu_while_tight, 0.03);
  BOOST_REQUIRE(event::runUntil(loop, [&] { return server.accepted.size() == clients.size(); }));
  BOOST_CHECK_GE(
      std::chrono::duration_cast<std::chrono::milliseconds>(server.times[1] - start).count(),
      static_cast<long>(Listener::kResourcePauseMs) - 5);
  for (int fd : clients) close(fd);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::network
