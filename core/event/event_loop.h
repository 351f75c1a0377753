// Thin RAII over libevent: one EventLoop per thread (the main thread and each worker), timers,
// and a thread-safe post() so the main thread can hand work (config snapshots, drain) to a worker.
// Every libevent handle is wrapped here once; the rest of the proxy never calls event_free.
//
// Loops are created without libevent's internal locks (EVENT_BASE_FLAG_NOLOCK): only the owning
// thread ever touches a loop, and other threads reach it solely through post(), which wakes the
// loop with an eventfd. That keeps a mutex off every event operation on the data path. The first
// EventLoop also gives libevent its buffer memory (buffer_memory.h).
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace weft::event {

struct EventBaseDeleter {
  void operator()(event_base* b) const { event_base_free(b); }
};
struct EventDeleter {
  void operator()(::event* e) const { event_free(e); }
};
struct EvbufferDeleter {
  void operator()(evbuffer* b) const { evbuffer_free(b); }
};
using EventPtr = std::unique_ptr<::event, EventDeleter>;
using EvbufferPtr = std::unique_ptr<evbuffer, EvbufferDeleter>;

inline EvbufferPtr newBuffer() { return EvbufferPtr(evbuffer_new()); }

// A one-shot timer on a loop. Re-arming replaces the pending deadline. Not thread-safe: arm and
// cancel it on its loop's thread. The callback may destroy the Timer. A plain function and a
// context pointer (not a std::function) keep it small: every connection has one.
//
// Connections cancel and re-arm their timers for every request (idle timeout off while a request
// runs, on again after it), so both are made cheap: cancel() only forgets the deadline, and arm()
// touches libevent only when the new deadline comes before the event already scheduled. An event
// that fires before the deadline (it was scheduled for an earlier one) schedules itself again for
// the rest and runs nothing; one that fires while disarmed just lapses. The callback therefore runs
// exactly when the last arm() asked, as if every call had rescheduled the event.
class Timer {
 public:
  using Callback = void (*)(void* context);
  Timer(event_base* base, Callback callback, void* context);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  // Delays beyond about 30 years are taken as 30 years.
  void arm(uint64_t delay_ms);
  void cancel() { deadline_ = kNever; }
  bool armed() const { return deadline_ != kNever; }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::time_point kNever = Clock::time_point::max();
  static void fire(evutil_socket_t, short, void* self);
  // Has libevent run fire() at deadline_.
  void scheduleDeadline(Clock::time_point now);

  Callback callback_;
  void* context_;
  Clock::time_point deadline_ = kNever;   // when the callback is due; kNever: disarmed
  Clock::time_point scheduled_ = kNever;  // when fire() runs; kNever: not scheduled
  ::event event_;                         // embedded: one allocation less per connection
};

// A Timer::Callback that calls `(object->*Method)()`, e.g.
//   Timer timer_{base, &callMember<&Connection::onTimeout, Connection>, this};
template <auto Method, typename T>
void callMember(void* object) {
  (static_cast<T*>(object)->*Method)();
}

// Objects destroyed from inside their own callbacks (a connection that closes itself) are handed
// here and freed once the current event has finished running.
class Deletable {
 public:
  virtual ~Deletable() = default;
};

class DeferredDeleter {
 public:
  explicit DeferredDeleter(event_base* base);
  void add(std::unique_ptr<Deletable> object);

 private:
  static void sweep(evutil_socket_t, short, void* self);
  std::vector<std::unique_ptr<Deletable>> pending_;
  std::vector<std::unique_ptr<Deletable>> sweeping_;  // the batch being destroyed (empty between)
  EventPtr event_;
};

// One thread's event loop.
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  event_base* base() const { return base_.get(); }

  // Runs until exit() is called. Call on the thread that owns the loop.
  void run();
  // Safe from any thread: makes run() return after the callbacks posted before it.
  void exit();
  // Safe from any thread: runs `fn` on the loop's thread, in post order.
  void post(std::function<void()> fn);

 private:
  static void drainPosted(evutil_socket_t, short, void* self);

  std::unique_ptr<event_base, EventBaseDeleter> base_;
  int wakeup_fd_;  // eventfd written by post()
  EventPtr wakeup_;
  std::mutex posted_mutex_;  // guards posted_; held only to swap the queue, never on the data path
  std::vector<std::function<void()>> posted_;
};

}  // namespace weft::event
