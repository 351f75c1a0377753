// Listener: accepts connections on one worker's SO_REUSEPORT socket and hands each accepted
// socket to a callback on that worker. Owns the socket; closing the Listener stops accepting.
#pragma once

#include <event2/listener.h>

#include <functional>
#include <memory>

#include "core/network/address.h"

namespace weft::network {

class Listener {
 public:
  using AcceptFn = std::function<void(evutil_socket_t fd, const Address& peer)>;
  // Takes ownership of the listening socket `fd`.
  Listener(event_base* base, int fd, AcceptFn on_accept);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

 private:
  static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* peer, int len, void* self);
  AcceptFn on_accept_;
  evconnlistener* listener_;
};

}  // namespace weft::network
