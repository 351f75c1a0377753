// proxy.* (OpenResty's names) driven through the module's hooks: ctx across phases, sleep,
// worker facts, logging, variables, the functions that need ABI 1.2, and shared dictionaries
// used from two workers' states on two threads.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <thread>

#include "tests/unit/plugins/lua_test_support.h"

namespace weft::lua::testing {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lua_proxy)

BOOST_AUTO_TEST_CASE(ctx_is_one_table_per_request_across_its_phases) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      proxy.ctx.started = h:headers():get(":path")
    end
    function on_response(h)
      h:headers():add("x-ctx", tostring(proxy.ctx.started))
      proxy.ctx = {replaced = "yes"}
    end
    function on_log(h)
      proxy.shared.log:set("last", proxy.ctx.replaced .. " " .. tostring(proxy.ctx.started))
    end)",
                                R"("shared_dicts": {"log": 65536})"));
  Exchange first(filter);
  first.requestHeaders(true, "/one");
  Exchange second(filter);
  second.requestHeaders(true, "/two");
  BOOST_TEST(second.responseHeaders() == WEFT_CONTINUE);
  BOOST_TEST(second.responseHeader("x-ctx").value_or("") == "/two");
  BOOST_TEST(first.responseHeaders() == WEFT_CONTINUE);
  BOOST_TEST(first.responseHeader("x-ctx").value_or("") == "/one");
  first.complete();

  LuaFilter reader(inlineConfig(R"(
    function on_request(h) h:headers():add("x-last", proxy.shared.log:get("last")) end)",
                                R"("shared_dicts": {"log": 65536})"));
  Exchange check(reader);
  check.requestHeaders();
  BOOST_TEST(check.requestHeader("x-last").value_or("") == "yes nil");
}

BOOST_AUTO_TEST_CASE(ctx_and_var_need_a_request) {
  auto top_level = LuaFilter::load(inlineConfig("x = proxy.ctx\nfunction on_request(h) end"));
  BOOST_REQUIRE(!top_level.isOk());
  BOOST_TEST(contains(top_level.status().message(),
                      "inline:1: proxy.ctx is not allowed in the script's top level"),
             top_level.status().message());
  auto var = LuaFilter::load(inlineConfig("x = proxy.var.host\nfunction on_request(h) end"));
  BOOST_REQUIRE(!var.isOk());
  BOOST_TEST(
      contains(var.status().message(), "proxy.var is not allowed in the script's top level"));
}

BOOST_AUTO_TEST_CASE(sleep_holds_the_request_then_resumes_it) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      h:headers():add("x-before", "1")
      proxy.sleep(0.25)
      h:headers():add("x-after", "1")
      proxy.sleep(0)
      h:headers():add("x-again", "1")
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(exchange.stream().timer_delays.size() == 1u);
  BOOST_TEST(exchange.stream().timer_delays[0] == 250u);
  BOOST_TEST(!exchange.requestHeader("x-after").has_value());
  exchange.fireTimer();
  BOOST_TEST(exchange.requestHeader("x-after").value_or("") == "1");
  BOOST_TEST(exchange.stream().continued_requests == 0);  // sleeping again
  BOOST_REQUIRE(exchange.stream().timer_delays.size() == 2u);
  BOOST_TEST(exchange.stream().timer_delays[1] == 0u);
  exchange.fireTimer(1);  // a stale token does nothing
  BOOST_TEST(!exchange.requestHeader("x-again").has_value());
  exchange.fireTimer();
  BOOST_TEST(exchange.requestHeader("x-again").value_or("") == "1");
  BOOST_TEST(exchange.stream().continued_requests == 1);
}

BOOST_AUTO_TEST_CASE(sleep_in_the_response_resumes_the_response) {
  LuaFilter filter(inlineConfig(R"(
    function on_response(h)
      proxy.sleep(0.001)
      h:headers():add("x-slept", "1")
    end)"));
  Exchange exchange(filter);
  exchange.requestHeaders();
  BOOST_TEST(exchange.responseHeaders() == WEFT_STOP_ITERATION);
  exchange.fireTimer();
  BOOST_TEST(exchange.responseHeader("x-slept").value_or("") == "1");
  BOOST_TEST(exchange.stream().continued_responses == 1);
}

BOOST_AUTO_TEST_CASE(after_a_sleep_chunks_still_arrive) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      proxy.sleep(0.01)
      local n = 0
      for chunk in h:bodyChunks() do n = n + chunk:length() end
      h:streamInfo():dynamicMetadata():set("bytes", n)
    end)"));
  Exchange chunks(filter);
  BOOST_TEST(chunks.requestHeaders(false) == WEFT_STOP_ITERATION);
  chunks.fireTimer();
  BOOST_TEST(chunks.stream().continued_requests == 1);  // headers released for the chunks
  BOOST_TEST(chunks.requestBody("abcd", true) == WEFT_CONTINUE);
  BOOST_TEST(chunks.stream().metadata["bytes"] == "4");
}

BOOST_AUTO_TEST_CASE(after_a_sleep_body_asks_the_host_to_buffer) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      proxy.sleep(0.01)
      local body = h:body()
      h:headers():add("x-body", body:getBytes(0, body:length()))
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(false) == WEFT_STOP_ITERATION);
  exchange.fireTimer();
  // The hold became buffering (stream_buffer_body): the host, not the filter, resumes it.
  BOOST_TEST((exchange.stream().buffer_requests == std::vector<weft_body>{WEFT_BODY_REQUEST}));
  BOOST_TEST(exchange.stream().continued_requests == 0);
  BOOST_TEST(exchange.requestBody("whole", true) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-body").value_or("") == "whole");
  BOOST_TEST(exchange.stream().continued_requests == 0);
}

BOOST_AUTO_TEST_CASE(body_after_the_body_has_passed_on_is_an_error) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      h:trailers()
      h:body()
    end)"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(false) == WEFT_CONTINUE);  // trailers() lets the body pass
  BOOST_TEST(exchange.requestBody("abc", false) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestTrailers() == 3);  // kHookFailed: the host answers 500
  BOOST_TEST(contains(log.text(), "body() must be called in the headers phase, or after a sleep"),
             log.text());
}

BOOST_AUTO_TEST_CASE(sleep_is_refused_outside_request_and_response) {
  auto top_level = LuaFilter::load(inlineConfig("proxy.sleep(1)\nfunction on_request(h) end"));
  BOOST_REQUIRE(!top_level.isOk());
  BOOST_TEST(contains(top_level.status().message(),
                      "proxy.sleep() is not allowed in the script's top level"));
  LuaFilter filter(inlineConfig("function on_log(h) proxy.sleep(1) end"));
  CapturedLog log;
  { Exchange exchange(filter); }
  BOOST_TEST(contains(log.text(), "proxy.sleep() is not allowed in on_log"), log.text());
}

BOOST_AUTO_TEST_CASE(sleep_inside_a_coroutine_of_the_script_is_refused) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local ok, err = coroutine.resume(coroutine.create(function() proxy.sleep(1) end))
      h:headers():add("x-err", tostring(err))
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(contains(exchange.requestHeader("x-err").value_or(""),
                      "proxy.sleep() must be called from the entry point itself"));
}

BOOST_AUTO_TEST_CASE(worker_id_and_count_come_from_the_host) {
  LuaFilter filter(inlineConfig(R"(
    local at_load = tostring(proxy.worker.id()) .. "/" .. tostring(proxy.worker.count())
    function on_request(h)
      h:headers():add("x-worker", proxy.worker.id() .. "/" .. proxy.worker.count() .. " " .. at_load)
    end)"));
  Exchange exchange(filter, 3);
  exchange.requestHeaders();
  // The worker's state ran the top level with the facts; the config check had none.
  BOOST_TEST(exchange.requestHeader("x-worker").value_or("") == "3/4 3/4");
}

BOOST_AUTO_TEST_CASE(log_and_print_go_to_the_proxy_log) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      proxy.log(proxy.ERR, "failed ", 3, " times")
      proxy.log(proxy.INFO, "info ", nil, true)
      print("a", 1, nil)
    end)"));
  CapturedLog log;
  Exchange exchange(filter);
  exchange.requestHeaders();
  const std::string text = log.text();
  BOOST_TEST(contains(text, "[error]"), text);
  BOOST_TEST(contains(text, "lua: inline: failed 3 times"), text);
  BOOST_TEST(contains(text, "lua: inline: info niltrue"), text);
  BOOST_TEST(contains(text, "lua: inline: a\t1\tnil"), text);
}

BOOST_AUTO_TEST_CASE(var_reads_nginx_variables_from_the_stream) {
  LuaFilter filter(inlineConfig(R"(
    local names = {"remote_addr", "remote_port", "server_addr", "server_port", "host",
                   "request_method", "scheme", "request_uri", "uri", "args", "arg_b",
                   "arg_missing", "http_x_forwarded_for", "cookie_session", "server_protocol",
                   "request_id", "status", "unknown_var"}
    function on_request(h)
      local out = {}
      for _, name in ipairs(names) do out[#out + 1] = name .. "=" .. tostring(proxy.var[name]) end
      proxy.ctx.vars = table.concat(out, " ")
    end
    function on_response(h)
      h:headers():add("x-vars", proxy.ctx.vars)
      h:headers():add("x-status", proxy.var.status .. " " .. proxy.var.sent_http_x_up)
    end)"));
  Exchange exchange(filter);
  FakeStream& stream = exchange.stream();
  stream.info[WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS] = "[::1]:41000";
  stream.info[WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS] = "127.0.0.1:10000";
  stream.info[WEFT_INFO_PROTOCOL] = "HTTP/1.1";
  stream.info[WEFT_INFO_REQUEST_ID] = "rid-1";
  exchange.requestHeaders(true, "/a/b?x=1&b=two",
                          {{"x-forwarded-for", "1.1.1.1"},
                           {"X-Forwarded-For", "2.2.2.2"},
                           {"cookie", "theme=dark; session=abc"}});
  stream.numbers[WEFT_INFO_RESPONSE_CODE] = 201;
  exchange.responseHeaders(true, 201, {{"x-up", "u1"}});
  BOOST_TEST(exchange.responseHeader("x-vars").value_or("") ==
             "remote_addr=::1 remote_port=41000 server_addr=127.0.0.1 server_port=10000 "
             "host=example.com request_method=GET scheme=http request_uri=/a/b?x=1&b=two "
             "uri=/a/b args=x=1&b=two arg_b=two arg_missing=nil "
             "http_x_forwarded_for=1.1.1.1, 2.2.2.2 cookie_session=abc "
             "server_protocol=HTTP/1.1 request_id=rid-1 status=nil unknown_var=nil");
  BOOST_TEST(exchange.responseHeader("x-status").value_or("") == "201 u1");
}

BOOST_AUTO_TEST_CASE(var_is_read_only) {
  LuaFilter filter(inlineConfig("function on_request(h) proxy.var.host = 'x' end"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == 3);
  BOOST_TEST(contains(log.text(), "proxy.var is read-only"), log.text());
}

BOOST_AUTO_TEST_CASE(shared_dict_methods_follow_openresty) {
  LuaFilter filter(inlineConfig(R"(
    local d = proxy.shared.store
    local function show(...)
      local out = {}
      for i = 1, select("#", ...) do out[i] = tostring(select(i, ...)) end
      return table.concat(out, ",")
    end
    function on_request(h)
      local r = {}
      r[#r + 1] = show(d:set("s", "text"))
      r[#r + 1] = show(d:get("s"))
      r[#r + 1] = show(d:set("n", 1.5, 60))
      r[#r + 1] = show(d:get("n"))
      r[#r + 1] = show(d:set("b", false))
      r[#r + 1] = show(d:get("b"))
      r[#r + 1] = show(d:add("s", "other"))
      r[#r + 1] = show(d:add("new", "v"))
      r[#r + 1] = show(d:replace("absent", "v"))
      r[#r + 1] = show(d:replace("new", "w"))
      r[#r + 1] = show(d:get("new"))
      r[#r + 1] = show(d:incr("counter", 2))
      r[#r + 1] = show(d:incr("counter", 2, 10))
      r[#r + 1] = show(d:incr("counter", -1))
      r[#r + 1] = show(d:incr("s", 1))
      d:delete("new")
      r[#r + 1] = show(d:get("new"))
      r[#r + 1] = show(d:set("b", nil))
      r[#r + 1] = show(d:get("b"))
      r[#r + 1] = show(d:safe_set("safe", "x"))
      r[#r + 1] = show(d:safe_add("safe", "y"))
      local keys = d:get_keys()
      table.sort(keys)
      r[#r + 1] = table.concat(keys, "+")
      r[#r + 1] = #d:get_keys(2)
      h:headers():add("x-r", table.concat(r, " | "))
    end)",
                                R"("shared_dicts": {"store": 65536})"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-r").value_or("") ==
             "true,nil,false | text | true,nil,false | 1.5 | true,nil,false | false | "
             "false,exists,false | true,nil,false | false,not found,false | true,nil,false | w | "
             "nil,not found | 12,nil,false | 11,nil,false | nil,not a number | nil | true | nil | "
             "true | nil,exists | counter+n+s+safe | 2");
}

BOOST_AUTO_TEST_CASE(shared_dict_argument_errors) {
  for (const char* call : {"proxy.shared.d:set('', 1)", "proxy.shared.d:set('k', {})",
                           "proxy.shared.d:set('k', 1, -1)", "proxy.shared.d.get('k')",
                           "proxy.shared.d:get_keys(-1)"}) {
    auto loaded = LuaFilter::load(inlineConfig(std::string(call) + "\nfunction on_request(h) end",
                                               R"("shared_dicts": {"d": 8192})"));
    BOOST_TEST(!loaded.isOk(), call);
    BOOST_TEST(contains(loaded.isOk() ? "" : loaded.status().message(), "bad argument"), call);
  }
}

BOOST_AUTO_TEST_CASE(shared_dict_from_two_workers_on_two_threads) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      for i = 1, 500 do proxy.shared.hits:incr("n", 1, 0) end
      proxy.shared.hits:set("worker" .. proxy.worker.id(), "seen")
    end)",
                                R"("shared_dicts": {"hits": 65536})"));
  // Each thread plays one worker: its own state (worker_start), its own streams.
  auto worker = [&](uint32_t index) {
    for (int i = 0; i < 20; ++i) {
      Exchange exchange(filter, index);
      exchange.requestHeaders();
    }
  };
  filter.workerState(0);
  filter.workerState(1);
  std::thread a(worker, 0);
  std::thread b(worker, 1);
  a.join();
  b.join();
  LuaFilter reader(inlineConfig(R"(
    function on_request(h)
      local d = proxy.shared.hits
      h:headers():add("x-n", d:get("n") .. " " .. d:get("worker0") .. " " .. d:get("worker1"))
    end)",
                                R"("shared_dicts": {"hits": 65536})"));
  Exchange check(reader);
  check.requestHeaders();
  BOOST_TEST(check.requestHeader("x-n").value_or("") == "20000 seen seen");
}

BOOST_AUTO_TEST_CASE(the_sample_rate_limiter_limits_each_client) {
  const auto sample =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path() /
      "samples/filters/lua/rate_limit.lua";
  LuaFilter filter(R"({"path": ")" + sample.string() +
                   R"(", "shared_dicts": {"ratelimit": 65536}})");
  CapturedLog log;
  int limited = 0;
  for (int i = 0; i < 25; ++i) {
    Exchange exchange(filter);
    exchange.stream().info[WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS] = "192.0.2.1:4000";
    if (exchange.requestHeaders(true, "/api") == WEFT_STOP_ITERATION) {
      BOOST_REQUIRE(exchange.stream().reply.has_value());
      BOOST_TEST(exchange.stream().reply->status == 429u);
      ++limited;
      continue;
    }
    exchange.stream().numbers[WEFT_INFO_RESPONSE_CODE] = 200;
    exchange.responseHeaders(true, 200, {{"x-request-id", "abc"}});
  }
  BOOST_TEST(limited == 5);  // the window lasts a second; 25 requests take far less
  Exchange other_client(filter);
  other_client.stream().info[WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS] = "192.0.2.2:4000";
  BOOST_TEST(other_client.requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(contains(log.text(), "GET /api -> 200 in"), log.text());
  BOOST_TEST(filter.counter("lua.errors") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::lua::testing
