// Listener: see listener.h.
#include "core/network/listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/common/logging.h"

namespace weft::network {

Listener::Listener(event_base* base, int fd, AcceptFn on_accept)
    : on_accept_(std::move(on_accept)),
      fd_(fd),
      pause_(base, &event::callMember<&Listener::resume, Listener>, this) {
  event_assign(&event_, base, fd_, EV_READ | EV_PERSIST, &Listener::onReadable, this);
  event_add(&event_, nullptr);
}

Listener::~Listener() {
  event_del(&event_);
  ::close(fd_);
}

void Listener::onReadable(evutil_socket_t, short, void* self) {
  static_cast<Listener*>(self)->acceptOne();
}

void Listener::acceptOne() {
  sockaddr_storage peer{};
  socklen_t length = sizeof(peer);
  int client =
      accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client >= 0) {
    on_accept_(client, fromSockaddr(reinterpret_cast<sockaddr*>(&peer), length));
    return;
  }
  switch (errno) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      log::warn(std::string("accept: ") + std::strerror(errno) + "; accepting pauses for " +
                std::to_string(kResourcePauseMs) + " ms");
      event_del(&event_);
      pause_.arm(kResourcePauseMs);
      return;
    default:  // EAGAIN (nothing pending after all), ECONNABORTED, EINTR: nothing to do
      return;
  }
}

void Listener::resume() { event_add(&event_, nullptr); }

}  // namespace weft::network
