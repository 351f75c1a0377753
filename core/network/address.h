// Socket addresses and sockets: parsing "ip"+port into a sockaddr, printing one as "ip:port",
// and opening the listening sockets (one per worker, SO_REUSEPORT) the listeners accept on.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "core/common/status.h"

namespace weft::network {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
  // "127.0.0.1:8080" or "[::1]:8080".
  std::string toString() const;
  // The IP alone, as x-forwarded-for wants it.
  std::string ip() const;
  uint16_t port() const;
};

Result<Address> parseAddress(const std::string& ip, uint16_t port);
Address fromSockaddr(const sockaddr* sa, socklen_t len);
// The local address a connected or bound socket has.
Address localAddressOf(int fd);

// A non-blocking listening socket with SO_REUSEADDR and SO_REUSEPORT, so every worker can bind
// its own socket on the same address and the kernel spreads connections among them.
Result<int> listenReusePort(const Address& address, int backlog);

}  // namespace weft::network
