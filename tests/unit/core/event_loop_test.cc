// event::Timer, DeferredDeleter and the buffer memory on a real loop: a timer runs once, at the
// deadline of its last arm() (later or sooner than the one scheduled), never after cancel(); the
// deleter frees what it is given only once the current event is over, including objects deferred
// by destructors; evbuffers keep working when their chains are recycled, also across threads.
#include "core/event/event_loop.h"

#include <event2/buffer.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/event/buffer_memory.h"
#include "tests/unit/core/run_loop.h"

namespace weft::event {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A timer that records when it ran.
struct Probe {
  explicit Probe(event_base* base) : timer(base, &callMember<&Probe::onFire, Probe>, this) {}
  void onFire() { fired.push_back(Clock::now()); }
  std::vector<Clock::time_point> fired;
  Timer timer;
};

milliseconds since(Clock::time_point start, Clock::time_point then) {
  return std::chrono::duration_cast<milliseconds>(then - start);
}

BOOST_AUTO_TEST_SUITE(event_loop)

BOOST_AUTO_TEST_CASE(timer_rearmed_later_runs_once_at_the_later_deadline) {
  EventLoop loop;
  Probe probe(loop.base());
  const Clock::time_point start = Clock::now();
  probe.timer.arm(20);
  probe.timer.arm(120);  // the event scheduled for 20 ms finds the deadline moved
  BOOST_CHECK(probe.timer.armed());
  BOOST_REQUIRE(runUntil(loop, [&] { return !probe.fired.empty(); }));
  BOOST_CHECK_GE(since(start, probe.fired[0]).count(), 120);
  BOOST_CHECK(!probe.timer.armed());
  // Nothing more comes: a second probe later than any leftover event shows it.
  Probe later(loop.base());
  later.timer.arm(150);
  BOOST_REQUIRE(runUntil(loop, [&] { return !later.fired.empty(); }));
  BOOST_CHECK_EQUAL(probe.fired.size(), 1u);
}

BOOST_AUTO_TEST_CASE(timer_rearmed_sooner_runs_at_the_sooner_deadline) {
  EventLoop loop;
  Probe probe(loop.base());
  const Clock::time_point start = Clock::now();
  probe.timer.arm(3000);
  probe.timer.arm(10);
  BOOST_REQUIRE(runUntil(loop, [&] { return !probe.fired.empty(); }));
  BOOST_CHECK_GE(since(start, probe.fired[0]).count(), 10);
  BOOST_CHECK_LT(since(start, probe.fired[0]).count(), 2000);
  BOOST_CHECK_EQUAL(probe.fired.size(), 1u);
}

BOOST_AUTO_TEST_CASE(cancelled_timer_never_runs_and_can_be_armed_again) {
  EventLoop loop;
  Probe cancelled(loop.base());
  Probe rearmed(loop.base());
  Probe sentinel(loop.base());
  const Clock::time_point start = Clock::now();
  cancelled.timer.arm(10);
  cancelled.timer.cancel();
  BOOST_CHECK(!cancelled.timer.armed());
  rearmed.timer.arm(10);
  rearmed.timer.cancel();
  rearmed.timer.arm(80);
  sentinel.timer.arm(150);
  BOOST_REQUIRE(runUntil(loop, [&] { return !sentinel.fired.empty(); }));
  BOOST_CHECK(cancelled.fired.empty());
  BOOST_REQUIRE_EQUAL(rearmed.fired.size(), 1u);
  BOOST_CHECK_GE(since(start, rearmed.fired[0]).count(), 80);
}

BOOST_AUTO_TEST_CASE(timer_callback_may_destroy_the_timer) {
  EventLoop loop;
  struct Owner {
    std::unique_ptr<Timer> timer;
    bool fired = false;
    void onFire() {
      fired = true;
      timer.reset();
    }
  } owner;
  owner.timer = std::make_unique<Timer>(loop.base(), &callMember<&Owner::onFire, Owner>, &owner);
  owner.timer->arm(30);
  owner.timer->arm(5);
  BOOST_REQUIRE(runUntil(loop, [&] { return owner.fired; }));
  BOOST_CHECK(owner.timer == nullptr);
}

// Counts its destruction and, the first time, defers another object from its destructor.
struct Tracked : Deletable {
  Tracked(int& destroyed, DeferredDeleter* chain) : destroyed(destroyed), chain(chain) {}
  ~Tracked() override {
    ++destroyed;
    if (chain) chain->add(std::make_unique<Tracked>(destroyed, nullptr));
  }
  int& destroyed;
  DeferredDeleter* chain;
};

BOOST_AUTO_TEST_CASE(deferred_deleter_frees_after_the_event_and_follows_chains) {
  EventLoop loop;
  DeferredDeleter deleter(loop.base());
  int destroyed = 0;
  for (int round = 1; round <= 3; ++round) {  // the deleter's buffers are reused between sweeps
    deleter.add(std::make_unique<Tracked>(destroyed, &deleter));
    deleter.add(std::make_unique<Tracked>(destroyed, nullptr));
    BOOST_CHECK_EQUAL(destroyed, (round - 1) * 3);
    BOOST_REQUIRE(runUntil(loop, [&] { return destroyed == round * 3; }));
  }
}

BOOST_AUTO_TEST_CASE(evbuffers_work_on_recycled_chains_across_threads) {
  EventLoop loop;         // installs the buffer memory
  installBufferMemory();  // a second call changes nothing
  const std::string piece(100, 'x');
  std::vector<EvbufferPtr> made;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 300; ++i) {  // more than a thread keeps: some blocks go back to malloc
      EvbufferPtr buffer = newBuffer();
      evbuffer_add(buffer.get(), piece.data(), piece.size());
      made.push_back(std::move(buffer));
    }
    for (auto& buffer : made) {
      BOOST_REQUIRE_EQUAL(evbuffer_get_length(buffer.get()), piece.size());
      evbuffer_drain(buffer.get(), piece.size());  // frees the chain: into the cache
      evbuffer_add(buffer.get(), "y", 1);          // a chain from the cache
      BOOST_REQUIRE_EQUAL(*evbuffer_pullup(buffer.get(), 1), 'y');
    }
    // Half of them freed on another thread, which caches and then releases them as it ends.
    std::vector<EvbufferPtr> elsewhere(std::make_move_iterator(made.begin()),
                                       std::make_move_iterator(made.begin() + 150));
    std::thread([&elsewhere] { elsewhere.clear(); }).join();
    made.clear();
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::event
