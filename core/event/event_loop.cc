// EventLoop and Timer: see event_loop.h.
#include "core/event/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "core/event/buffer_memory.h"

namespace weft::event {

namespace {
event_base* newUnlockedBase() {
  installBufferMemory();  // before the base allocates anything
  event_config* config = event_config_new();
  event_config_set_flag(config, EVENT_BASE_FLAG_NOLOCK);
  event_base* base = event_base_new_with_config(config);
  event_config_free(config);
  return base;
}
}  // namespace

Timer::Timer(event_base* base, Callback callback, void* context)
    : callback_(callback), context_(context) {
  evtimer_assign(&event_, base, &Timer::fire, this);
}

Timer::~Timer() { evtimer_del(&event_); }

void Timer::arm(uint64_t delay_ms) {
  constexpr uint64_t kLongest = 30ull * 365 * 24 * 3600 * 1000;
  const Clock::time_point now = Clock::now();
  deadline_ = now + std::chrono::milliseconds(std::min(delay_ms, kLongest));
  // An event due no later than the new deadline will find it and wait for the rest.
  if (scheduled_ <= deadline_) return;
  scheduleDeadline(now);
}

void Timer::scheduleDeadline(Clock::time_point now) {
  auto us = std::chrono::ceil<std::chrono::microseconds>(deadline_ - now).count();
  timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  evtimer_add(&event_, &tv);  // replaces a pending schedule
  scheduled_ = deadline_;
}

void Timer::fire(evutil_socket_t, short, void* self) {
  auto* timer = static_cast<Timer*>(self);
  timer->scheduled_ = kNever;
  if (!timer->armed()) return;  // cancelled since it was scheduled
  const Clock::time_point now = Clock::now();
  if (now < timer->deadline_) {
    timer->scheduleDeadline(now);  // re-armed for later since it was scheduled
    return;
  }
  timer->deadline_ = kNever;
  timer->callback_(timer->context_);  // may destroy the timer: nothing touches it afterwards
}

DeferredDeleter::DeferredDeleter(event_base* base)
    : event_(event_new(base, -1, 0, &DeferredDeleter::sweep, this)) {}

void DeferredDeleter::add(std::unique_ptr<Deletable> object) {
  if (pending_.empty()) event_active(event_.get(), EV_READ, 0);
  pending_.push_back(std::move(object));
}

void DeferredDeleter::sweep(evutil_socket_t, short, void* self) {
  auto* deleter = static_cast<DeferredDeleter*>(self);
  // Destructors may defer more objects (into pending_, now empty); keep sweeping until none are
  // left. Both vectors keep their capacity, so a sweep allocates nothing.
  while (!deleter->pending_.empty()) {
    deleter->sweeping_.swap(deleter->pending_);
    deleter->sweeping_.clear();
  }
}

EventLoop::EventLoop()
    : base_(newUnlockedBase()), wakeup_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  wakeup_.reset(
      event_new(base_.get(), wakeup_fd_, EV_READ | EV_PERSIST, &EventLoop::drainPosted, this));
  event_add(wakeup_.get(), nullptr);
}

EventLoop::~EventLoop() {
  wakeup_.reset();
  base_.reset();
  close(wakeup_fd_);
}

void EventLoop::run() { event_base_loop(base_.get(), EVLOOP_NO_EXIT_ON_EMPTY); }

void EventLoop::exit() {
  post([this] { event_base_loopbreak(base_.get()); });
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  ssize_t written = write(wakeup_fd_, &one, sizeof(one));
  (void)written;  // a full counter (never in practice) still wakes the loop
}

void EventLoop::drainPosted(evutil_socket_t fd, short, void* self) {
  auto* loop = static_cast<EventLoop*>(self);
  uint64_t count;
  ssize_t got = read(fd, &count, sizeof(count));
  (void)got;
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(loop->posted_mutex_);
    batch.swap(loop->posted_);
  }
  for (auto& fn : batch) fn();
}

}  // namespace weft::event
