// EventLoop and Timer: see event_loop.h.
#include "core/event/event_loop.h"

#include <event2/thread.h>

namespace weft::event {

void initThreading() {
  static const int once = evthread_use_pthreads();
  (void)once;
}

Timer::Timer(event_base* base, std::function<void()> on_fire)
    : on_fire_(std::move(on_fire)), event_(evtimer_new(base, &Timer::fire, this)) {}

void Timer::arm(uint64_t delay_ms) {
  timeval tv{static_cast<time_t>(delay_ms / 1000), static_cast<suseconds_t>((delay_ms % 1000) * 1000)};
  evtimer_add(event_.get(), &tv);
}

void Timer::cancel() { evtimer_del(event_.get()); }

bool Timer::armed() const { return evtimer_pending(event_.get(), nullptr) != 0; }

void Timer::fire(evutil_socket_t, short, void* self) {
  // Copy first: the callback may destroy this Timer.
  auto fn = static_cast<Timer*>(self)->on_fire_;
  fn();
}

DeferredDeleter::DeferredDeleter(event_base* base)
    : event_(event_new(base, -1, 0, &DeferredDeleter::sweep, this)) {}

void DeferredDeleter::add(std::unique_ptr<Deletable> object) {
  pending_.push_back(std::move(object));
  event_active(event_.get(), EV_READ, 0);
}

void DeferredDeleter::sweep(evutil_socket_t, short, void* self) {
  auto* deleter = static_cast<DeferredDeleter*>(self);
  // Destructors may defer more objects; keep sweeping until none are left.
  while (!deleter->pending_.empty()) {
    auto batch = std::move(deleter->pending_);
    deleter->pending_.clear();
  }
}

EventLoop::EventLoop() : base_(event_base_new()) {
  wakeup_.reset(event_new(base_.get(), -1, 0, &EventLoop::drainPosted, this));
}

EventLoop::~EventLoop() {
  wakeup_.reset();
  base_.reset();
}

void EventLoop::run() { event_base_loop(base_.get(), EVLOOP_NO_EXIT_ON_EMPTY); }

void EventLoop::exit() { event_base_loopbreak(base_.get()); }

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  event_active(wakeup_.get(), EV_READ, 0);
}

void EventLoop::drainPosted(evutil_socket_t, short, void* self) {
  auto* loop = static_cast<EventLoop*>(self);
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(loop->posted_mutex_);
    batch.swap(loop->posted_);
  }
  for (auto& fn : batch) fn();
}

}  // namespace weft::event
