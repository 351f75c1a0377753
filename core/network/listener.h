// Listener: accepts connections on one worker's SO_REUSEPORT socket and hands each accepted
// socket (non-blocking, close-on-exec) to a callback on that worker. Owns the socket; destroying
// the Listener stops accepting and closes it.
//
// One accept per readiness event, as nginx does without multi_accept: the poller is level-
// triggered, so a backlog is reported again on the next turn of the loop, and a lone connection
// costs no accept() that fails with EAGAIN. When accept() fails for want of resources (EMFILE,
// ENFILE, ENOBUFS, ENOMEM) accepting pauses for a moment instead of spinning on the error.
#pragma once

#include <event2/event.h>
#include <event2/event_struct.h>

#include <functional>

#include "core/event/event_loop.h"
#include "core/network/address.h"

namespace weft::network {

class Listener {
 public:
  using AcceptFn = std::function<void(evutil_socket_t fd, const Address& peer)>;
  // How long accepting pauses after accept() ran out of resources.
  static constexpr uint64_t kResourcePauseMs = 100;

  // Takes ownership of the listening socket `fd`.
  Listener(event_base* base, int fd, AcceptFn on_accept);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

 private:
  static void onReadable(evutil_socket_t fd, short what, void* self);
  void acceptOne();
  void resume();

  AcceptFn on_accept_;
  int fd_;
  ::event event_;       // read interest on the listening socket
  event::Timer pause_;  // re-enables accepting after a resource failure
};

}  // namespace weft::network
