// Listener: see listener.h.
#include "core/network/listener.h"

namespace weft::network {

Listener::Listener(event_base* base, int fd, AcceptFn on_accept)
    : on_accept_(std::move(on_accept)),
      listener_(
          evconnlistener_new(base, &Listener::onAccept, this, LEV_OPT_CLOSE_ON_FREE, -1, fd)) {}

Listener::~Listener() {
  if (listener_) evconnlistener_free(listener_);
}

void Listener::onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* peer, int len, void* self) {
  evutil_make_socket_nonblocking(fd);
  static_cast<Listener*>(self)->on_accept_(fd, fromSockaddr(peer, static_cast<socklen_t>(len)));
}

}  // namespace weft::network
