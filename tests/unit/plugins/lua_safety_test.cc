// What keeps a worker safe from its scripts: errors, runaway loops and memory exhaustion fail
// only the hook (counted, logged with file, line and traceback) and leave the state usable —
// or replace it — and a config reload gives new streams new states while old ones finish.
#include <boost/test/unit_test.hpp>

#include "plugins/lua/lua_stream.h"
#include "tests/unit/plugins/lua_test_support.h"

namespace weft::lua::testing {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Answers /ok, fails on /fail with a stack of two functions.
constexpr char kFailing[] = R"(
local function check(path)
  if path == "/fail" then
    local t = nil
    return t.field
  end
end
function on_request(h)
  check(h:headers():get(":path"))
  h:headers():add("x-ok", "1")
end)";

}  // namespace

BOOST_AUTO_TEST_SUITE(lua_safety)

BOOST_AUTO_TEST_CASE(a_script_error_fails_the_hook_counts_and_logs_a_traceback) {
  LuaFilter filter(inlineConfig(kFailing));
  CapturedLog log;
  Exchange failing(filter);
  BOOST_TEST(failing.requestHeaders(true, "/fail") == kHookFailed);
  BOOST_TEST(filter.counter("lua.errors") == 1u);
  BOOST_TEST(filter.counter("lua.budget_exceeded") == 0u);
  const std::string text = log.text();
  BOOST_TEST(contains(text,
                      "lua: inline: on_request failed: inline:5: attempt to index local "
                      "'t' (a nil value)"),
             text);
  BOOST_TEST(contains(text, "stack traceback:"), text);
  BOOST_TEST(contains(text, "in function 'check'"), text);
  BOOST_TEST(contains(text, "inline:9: in function <inline:8>"), text);

  Exchange next(filter);  // the worker's state goes on serving
  BOOST_TEST(next.requestHeaders(true, "/ok") == WEFT_CONTINUE);
  BOOST_TEST(next.requestHeader("x-ok").value_or("") == "1");
}

BOOST_AUTO_TEST_CASE(a_runaway_loop_is_stopped_by_the_budget) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local path = h:headers():get(":path")
      if path == "/spin" then while true do end end
      if path == "/sneaky" then
        while true do pcall(function() while true do end end) end
      end
      h:headers():add("x-ok", "1")
    end)",
                                R"("instruction_budget": 100000)"));
  CapturedLog log;
  for (const char* path : {"/spin", "/sneaky"}) {
    Exchange spin(filter);
    BOOST_TEST(spin.requestHeaders(true, path) == kHookFailed, path);
  }
  BOOST_TEST(filter.counter("lua.budget_exceeded") == 2u);
  BOOST_TEST(filter.counter("lua.errors") == 0u);
  BOOST_TEST(contains(log.text(), "instruction budget of 100000 exceeded"), log.text());
  Exchange next(filter);
  BOOST_TEST(next.requestHeaders(true, "/ok") == WEFT_CONTINUE);
  BOOST_TEST(next.requestHeader("x-ok").value_or("") == "1");
}

BOOST_AUTO_TEST_CASE(the_budget_is_per_hook_call) {
  // 3 × ~40,000 instructions: each run is under the budget, their sum is not.
  LuaFilter filter(inlineConfig(R"(
    local function work() local n = 0 for i = 1, 10000 do n = n + i end return n end
    function on_request(h)
      work() proxy.sleep(0) work() proxy.sleep(0) work()
      h:headers():add("x-done", "1")
    end)",
                                R"("instruction_budget": 60000)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_STOP_ITERATION);
  exchange.fireTimer();
  exchange.fireTimer();
  BOOST_TEST(exchange.requestHeader("x-done").value_or("") == "1");
  BOOST_TEST(filter.counter("lua.budget_exceeded") == 0u);
}

BOOST_AUTO_TEST_CASE(running_out_of_memory_fails_the_hook_and_the_state_recovers) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      if h:headers():get(":path") == "/hog" then
        local t = {}
        for i = 1, 1e7 do t[i] = string.rep("x", 64) .. i end
      end
      h:headers():add("x-ok", "1")
    end)",
                                R"("memory_limit_bytes": 4194304)"));
  CapturedLog log;
  Exchange hog(filter);
  BOOST_TEST(hog.requestHeaders(true, "/hog") == kHookFailed);
  BOOST_TEST(filter.counter("lua.memory_errors") == 1u);
  BOOST_TEST(filter.counter("lua.errors") == 0u);
  BOOST_TEST(contains(log.text(), "not enough memory"), log.text());
  BOOST_TEST(!contains(log.text(), "new requests get a fresh state"), log.text());
  for (int i = 0; i < 3; ++i) {
    Exchange next(filter);
    BOOST_TEST(next.requestHeaders(true, "/ok") == WEFT_CONTINUE);
    BOOST_TEST(next.requestHeader("x-ok").value_or("") == "1");
  }
}

BOOST_AUTO_TEST_CASE(garbage_from_earlier_requests_does_not_count_against_the_limit) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local bytes = 0
      for i = 1, 24 do bytes = bytes + #string.rep(string.char(64 + i), 65536) end  -- 1.5 MiB
      h:headers():add("x-bytes", bytes)
    end)",
                                R"("memory_limit_bytes": 4194304)"));
  for (int i = 0; i < 20; ++i) {
    Exchange exchange(filter);
    BOOST_TEST(exchange.requestHeaders() == WEFT_CONTINUE);
    BOOST_TEST(exchange.requestHeader("x-bytes").value_or("") == "1572864");
  }
  BOOST_TEST(filter.counter("lua.memory_errors") == 0u);
}

BOOST_AUTO_TEST_CASE(a_state_kept_full_by_globals_is_replaced) {
  LuaFilter filter(inlineConfig(R"(
    generation = (generation or 0) + 1  -- top level: once per state
    kept = {}
    function on_request(h)
      if h:headers():get(":path") == "/hoard" then
        for i = 1, 1e7 do kept[#kept + 1] = string.rep("y", 64) .. i end
      end
      h:headers():add("x-kept", #kept)
    end)",
                                R"("memory_limit_bytes": 4194304)"));
  CapturedLog log;
  Exchange hoard(filter);
  BOOST_TEST(hoard.requestHeaders(true, "/hoard") == kHookFailed);
  BOOST_TEST(filter.counter("lua.memory_errors") == 1u);
  BOOST_TEST(contains(log.text(), "new requests get a fresh state"), log.text());
  Exchange next(filter);  // a fresh state: kept is empty again
  BOOST_TEST(next.requestHeaders(true, "/ok") == WEFT_CONTINUE);
  BOOST_TEST(next.requestHeader("x-kept").value_or("") == "0");
}

BOOST_AUTO_TEST_CASE(a_stream_keeps_its_retired_state_until_it_ends) {
  LuaFilter filter(inlineConfig(R"(
    kept = {}
    function on_request(h)
      if h:headers():get(":path") == "/hoard" then
        for i = 1, 1e7 do kept[#kept + 1] = string.rep("y", 64) .. i end
      end
      proxy.sleep(0)
      h:headers():add("x-kept", #kept > 0 and "full" or "empty")
    end)",
                                R"("memory_limit_bytes": 4194304)"));
  CapturedLog log;
  Exchange early(filter);  // begins on the first state, then waits
  BOOST_TEST(early.requestHeaders(true, "/ok") == WEFT_STOP_ITERATION);
  Exchange hoard(filter);
  BOOST_TEST(hoard.requestHeaders(true, "/hoard") == kHookFailed);
  Exchange fresh(filter);
  BOOST_TEST(fresh.requestHeaders(true, "/ok") == WEFT_STOP_ITERATION);
  fresh.fireTimer();
  BOOST_TEST(fresh.requestHeader("x-kept").value_or("") == "empty");
  early.fireTimer();  // still on the retired state
  BOOST_TEST(early.requestHeader("x-kept").value_or("") == "full");
}

BOOST_AUTO_TEST_CASE(an_error_after_a_wait_fails_the_stream_through_the_host) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      proxy.sleep(0)
      error("after the nap")
    end)"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_STOP_ITERATION);
  exchange.fireTimer();
  // stream_fail: the host answers 500, or continues when the entry is fail_open
  // (integration_test lua_filter/an_error_after_a_wait_*).
  BOOST_TEST((exchange.stream().failures == std::vector<std::string>{"lua_error"}));
  BOOST_TEST(!exchange.stream().reply.has_value());
  BOOST_TEST(exchange.stream().continued_requests == 0);
  BOOST_TEST(filter.counter("lua.errors") == 1u);
  BOOST_TEST(contains(log.text(), "inline:4: after the nap"), log.text());
}

BOOST_AUTO_TEST_CASE(errors_in_on_log_are_counted_and_logged) {
  LuaFilter filter(inlineConfig("function on_log(h) error('log failed') end"));
  CapturedLog log;
  { Exchange exchange(filter); }
  BOOST_TEST(filter.counter("lua.errors") == 1u);
  BOOST_TEST(contains(log.text(), "lua: inline: on_log failed: inline:1: log failed"), log.text());
}

BOOST_AUTO_TEST_CASE(a_bare_yield_in_an_entry_point_is_an_error) {
  LuaFilter filter(inlineConfig("function on_request(h) coroutine.yield() end"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == kHookFailed);
  BOOST_TEST(contains(log.text(), "on_request yielded: coroutine.yield() may only be used"),
             log.text());
}

BOOST_AUTO_TEST_CASE(non_string_errors_are_reported) {
  LuaFilter filter(inlineConfig("function on_request(h) error({code = 1}) end"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == kHookFailed);
  BOOST_TEST(contains(log.text(), "(error object is a table value)"), log.text());
}

BOOST_AUTO_TEST_CASE(respond_that_completes_the_stream_runs_on_log_after_the_run) {
  // A host that completes the stream from inside send_local_reply (as the proxy may) must not
  // start on_log in the middle of on_request's run.
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      proxy.ctx.step = "request"
      h:respond({[":status"] = 204})
    end
    function on_log(h)
      h:logInfo("log after " .. proxy.ctx.step)
    end)"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_STOP_ITERATION);
  exchange.complete();
  BOOST_TEST(contains(log.text(), "log after request"), log.text());
}

BOOST_AUTO_TEST_CASE(each_config_version_has_its_own_states_and_old_streams_finish_on_theirs) {
  auto version = [](const char* tag) {
    return inlineConfig(std::string(R"(
      function on_request(h)
        proxy.sleep(0)
        h:headers():add("x-version", ")") +
                        tag + R"(")
      end)");
  };
  auto v1 = std::make_unique<LuaFilter>(version("v1"));
  auto in_flight = std::make_unique<Exchange>(*v1);
  BOOST_TEST(in_flight->requestHeaders() == WEFT_STOP_ITERATION);

  LuaFilter v2(version("v2"));  // the reload: a new config, new worker states
  Exchange after(v2);
  BOOST_TEST(after.requestHeaders() == WEFT_STOP_ITERATION);
  after.fireTimer();
  BOOST_TEST(after.requestHeader("x-version").value_or("") == "v2");

  in_flight->fireTimer();
  BOOST_TEST(in_flight->requestHeader("x-version").value_or("") == "v1");
  BOOST_TEST(in_flight->stream().continued_requests == 1);
  in_flight.reset();
  v1.reset();  // worker_stop then config_destroy, after its last stream
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::lua::testing
