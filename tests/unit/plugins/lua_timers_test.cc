// proxy.timer.at / every on a real libevent loop through the real host's worker timers: callback
// arguments, periodic runs, proxy.sleep inside a callback (also when the worker stops), premature
// runs when the worker stops, the pending limit, failures
// counted and logged, functions refused in the timer phase, and the config check's answer.
#include <event2/event.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "tests/unit/plugins/lua_test_support.h"

namespace weft::lua::testing {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// A loop for the filter's worker timers, and a way to run it until something happened.
struct TimerLoop {
  TimerLoop() { BOOST_REQUIRE(base); }
  // Runs the loop until `done` holds; false after `limit`.
  bool runUntil(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      event_base_loop(base.get(), EVLOOP_ONCE);
    }
    return true;
  }
  std::unique_ptr<event_base, decltype(&event_base_free)> base{event_base_new(), &event_base_free};
};

// Runs on_request on worker 0 with header x-cmd: `command` and returns the x-out header the
// script sets.
std::string ask(LuaFilter& filter, const std::string& command) {
  Exchange exchange(filter);
  exchange.requestHeaders(true, "/", {{"x-cmd", command}});
  return exchange.requestHeader("x-out").value_or("<none>");
}

constexpr const char* kOutDict = R"("shared_dicts": {"out": 65536})";

// A script whose requests start timers (x-cmd) and report what the callbacks recorded.
constexpr const char* kRecorder = R"(
  log = {}
  local function record(premature, ...)
    log[#log + 1] = table.concat({tostring(premature), proxy.timer.running_count(), ...}, ":")
  end
  function on_request(h)
    local cmd = h:headers():get("x-cmd")
    local out
    if cmd == "at" then
      local ok, err = proxy.timer.at(0.001, record, "a", "b")
      out = tostring(ok) .. " " .. tostring(err) .. " " .. proxy.timer.pending_count()
    elseif cmd == "later" then
      out = tostring(proxy.timer.at(3600, record, "late"))
    elseif cmd == "every" then
      out = tostring(proxy.timer.every(0.001, record, "tick"))
    else
      out = table.concat(log, ",") .. " pending=" .. proxy.timer.pending_count()
    end
    h:headers():add("x-out", out)
  end)";

}  // namespace

BOOST_AUTO_TEST_SUITE(lua_timers)

BOOST_AUTO_TEST_CASE(timer_at_runs_the_callback_once_with_its_arguments) {
  TimerLoop loop;
  LuaFilter filter(inlineConfig(kRecorder));
  filter.setEventBase(loop.base.get());
  BOOST_TEST(ask(filter, "at") == "true nil 1");
  BOOST_REQUIRE(loop.runUntil([&] { return ask(filter, "show") != " pending=1"; }));
  BOOST_TEST(ask(filter, "show") == "false:1:a:b pending=0");
  BOOST_TEST(filter.counter("lua.errors") == 0);
}

BOOST_AUTO_TEST_CASE(timer_every_repeats_until_the_worker_stops_then_runs_premature) {
  TimerLoop loop;
  auto filter = std::make_unique<LuaFilter>(inlineConfig(R"(
    ticks = 0
    proxy.timer.every(0.001, function(premature)
      ticks = ticks + 1
      proxy.shared.out:set("last", tostring(premature) .. " " .. ticks)
    end)
    function on_request(h)
      h:headers():add("x-out", ticks .. " " .. proxy.timer.pending_count())
    end)",
                                                         kOutDict));
  filter->setEventBase(loop.base.get());
  // The top level of the worker's state started it: three ticks, and it is pending again.
  BOOST_REQUIRE(loop.runUntil([&] { return std::stoi(ask(*filter, "")) >= 3; }));
  const std::string state = ask(*filter, "");
  BOOST_TEST(state.substr(state.find(' ')) == " 1");
  LuaFilter reader(inlineConfig(R"(
    function on_request(h) h:headers():add("x-out", proxy.shared.out:get("last")) end)",
                                kOutDict));
  filter.reset();  // the worker stops: the pending run comes now, premature
  BOOST_TEST(ask(reader, "") == "true " + std::to_string(std::stoi(state) + 1));
}

BOOST_AUTO_TEST_CASE(a_pending_timer_runs_premature_when_the_worker_stops) {
  TimerLoop loop;
  auto filter = std::make_unique<LuaFilter>(inlineConfig(R"(
    function on_request(h)
      proxy.timer.at(3600, function(premature, who)
        proxy.shared.out:set("seen", tostring(premature) .. " " .. who)
        -- a stopping worker takes no new timers
        local ok, err = proxy.timer.at(0, function() end)
        proxy.shared.out:set("again", tostring(ok) .. " " .. err)
      end, "w0")
    end)",
                                                         kOutDict));
  filter->setEventBase(loop.base.get());
  LuaFilter reader(inlineConfig(R"(
    function on_request(h)
      h:headers():add("x-out", tostring(proxy.shared.out:get("seen")) .. " | " ..
                               tostring(proxy.shared.out:get("again")))
    end)",
                                kOutDict));
  ask(*filter, "");
  BOOST_TEST(ask(reader, "") == "nil | nil");
  filter.reset();
  BOOST_TEST(ask(reader, "") == "true w0 | nil process exiting");
}

BOOST_AUTO_TEST_CASE(a_callback_sleeps_and_counts_as_running_meanwhile) {
  TimerLoop loop;
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      if h:headers():get("x-cmd") == "nap" then
        proxy.timer.at(0, function()
          proxy.shared.out:set("step", "before")
          proxy.sleep(0.02)
          proxy.shared.out:set("step", "after")
        end)
      end
      h:headers():add("x-out", tostring(proxy.shared.out:get("step")) .. " running=" ..
                               proxy.timer.running_count())
    end)",
                                kOutDict));
  filter.setEventBase(loop.base.get());
  BOOST_TEST(ask(filter, "nap") == "nil running=0");
  BOOST_REQUIRE(loop.runUntil([&] { return ask(filter, "") != "nil running=0"; }));
  BOOST_TEST(ask(filter, "") == "before running=1");  // asleep: started, not finished
  BOOST_REQUIRE(loop.runUntil([&] { return ask(filter, "") == "after running=0"; }));
  BOOST_TEST(filter.counter("lua.errors") == 0);
}

BOOST_AUTO_TEST_CASE(a_sleeping_callback_finishes_at_once_when_the_worker_stops) {
  TimerLoop loop;
  auto filter = std::make_unique<LuaFilter>(inlineConfig(R"(
    function on_request(h)
      proxy.timer.at(0, function()
        proxy.sleep(3600)
        proxy.sleep(3600)  -- the worker is stopping: returns at once
        proxy.shared.out:set("woke", "yes")
      end)
    end)",
                                                         kOutDict));
  filter->setEventBase(loop.base.get());
  LuaFilter reader(inlineConfig(R"(
    function on_request(h) h:headers():add("x-out", tostring(proxy.shared.out:get("woke"))) end)",
                                kOutDict));
  ask(*filter, "");
  event_base_loop(loop.base.get(), EVLOOP_ONCE);  // the callback starts and falls asleep
  BOOST_TEST(ask(reader, "") == "nil");
  filter.reset();
  BOOST_TEST(ask(reader, "") == "yes");
}

BOOST_AUTO_TEST_CASE(more_than_max_pending_timers_are_refused) {
  TimerLoop loop;
  LuaFilter filter(inlineConfig(kRecorder, R"("max_pending_timers": 2)"));
  filter.setEventBase(loop.base.get());
  BOOST_TEST(ask(filter, "later") == "true");
  BOOST_TEST(ask(filter, "later") == "true");
  BOOST_TEST(ask(filter, "at") == "nil too many pending timers 2");
}

BOOST_AUTO_TEST_CASE(a_failing_callback_is_counted_and_logged_and_the_worker_goes_on) {
  TimerLoop loop;
  CapturedLog log;
  LuaFilter filter(inlineConfig(R"(
    done = 0
    function on_request(h)
      local cmd = h:headers():get("x-cmd")
      if cmd == "error" then
        proxy.timer.at(0, function() done = done + 1; error("timer went wrong") end)
      elseif cmd == "loop" then
        proxy.timer.at(0, function() done = done + 1; while true do end end)
      elseif cmd == "sleep" then
        proxy.timer.at(0, function() done = done + 1; coroutine.wrap(proxy.sleep)(1) end)
      elseif cmd == "ctx" then
        proxy.timer.at(0, function() done = done + 1; local x = proxy.ctx end)
      elseif cmd == "yield" then
        proxy.timer.at(0, function() done = done + 1; coroutine.yield() end)
      end
      h:headers():add("x-out", tostring(done))
    end)",
                                R"("instruction_budget": 100000)"));
  filter.setEventBase(loop.base.get());
  int expected = 0;
  for (const char* command : {"error", "loop", "sleep", "ctx", "yield"}) {
    ask(filter, command);
    ++expected;
    BOOST_REQUIRE(loop.runUntil([&] { return ask(filter, "") == std::to_string(expected); }));
  }
  BOOST_TEST(filter.counter("lua.errors") == 4);
  BOOST_TEST(filter.counter("lua.budget_exceeded") == 1);
  const std::string text = log.text();
  BOOST_TEST(contains(text, "a timer callback failed: inline:6: timer went wrong"), text);
  BOOST_TEST(contains(text, "stack traceback"), text);
  BOOST_TEST(contains(text, "proxy.sleep() must be called from the timer callback itself"), text);
  BOOST_TEST(contains(text, "proxy.ctx is not allowed in a timer callback"), text);
  BOOST_TEST(contains(text, "a timer callback yielded"), text);
}

BOOST_AUTO_TEST_CASE(bad_arguments_raise_and_the_config_check_starts_no_timer) {
  for (const char* call : {"proxy.timer.at(-1, function() end)", "proxy.timer.at(1, 'f')",
                           "proxy.timer.every(0, function() end)"}) {
    auto loaded = LuaFilter::load(inlineConfig(std::string(call) + "\nfunction on_request(h) end"));
    BOOST_TEST(!loaded.isOk(), call);
    BOOST_TEST(contains(loaded.isOk() ? "" : loaded.status().message(), "bad argument"), call);
  }
  // At the top level the config check answers nil and why; the workers' states start timers.
  TimerLoop loop;
  LuaFilter filter(inlineConfig(R"(
    local ok, err = proxy.timer.at(0, function() end)
    if proxy.worker.id() == nil then
      assert(ok == nil and err == "timers run on workers; the config check starts none")
    else
      assert(ok == true)
    end
    function on_request(h) end)"));
  filter.setEventBase(loop.base.get());
  filter.workerState(0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::lua::testing
