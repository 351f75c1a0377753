// runUntil: turns a real event loop until a condition holds, for unit tests that drive libevent
// on the test's own thread. Gives up (false) after `limit`.
#pragma once

#include <event2/event.h>

#include <chrono>

#include "core/event/event_loop.h"

namespace weft::event {

template <typename Done>
bool runUntil(EventLoop& loop, Done done,
              std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  bool expired = false;
  struct Flag {
    static void set(void* flag) { *static_cast<bool*>(flag) = true; }
  };
  Timer guard(loop.base(), &Flag::set, &expired);
  guard.arm(static_cast<uint64_t>(limit.count()));
  while (!done() && !expired) event_base_loop(loop.base(), EVLOOP_ONCE);
  return !expired;
}

}  // namespace weft::event
