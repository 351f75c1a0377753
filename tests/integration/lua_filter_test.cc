// The built-in `lua` filter in the real weft-proxy in front of the real test upstream: header
// rewrites both ways, body inspection (also after an httpCall), local replies, proxy.ctx across
// phases, failures (500, fail_open — also after a wait —, a reset once the response began, runaway
// loops, a script over its memory limit) that leave the worker serving, a
// shared dictionary counted from two workers, a reload during an in-flight request, httpCall to a
// second upstream (200 streams waiting in it at once, its timeout), per-worker timers across a
// reload, scripts written in Envoy's documented style that run unchanged (tests/lua/),
// external authorization among them, and the matched route's metadata read before the router.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <set>
#include <string>

#include "tests/integration/lua_fixture.h"

namespace weft::itest {

BOOST_AUTO_TEST_SUITE(lua_filter)

BOOST_AUTO_TEST_CASE(headers_are_rewritten_both_ways) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      h:headers():add("x-lua-request", "added")
      h:headers():remove("x-drop-me")
    end
    function on_response(h)
      h:headers():add("x-lua-response", h:headers():get(":status"))
    end)")});
  auto response = get(setup.proxy.port(), "/headers", "x-drop-me: 1\r\n");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  BOOST_TEST(echoedHeader(*response, "x-lua-request").value_or("") == "added", response->body);
  BOOST_TEST(!echoedHeader(*response, "x-drop-me").has_value(), response->body);
  BOOST_TEST(response->header("x-lua-response").value_or("") == "200");
}

BOOST_AUTO_TEST_CASE(the_body_is_inspected_and_rewritten) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      local body = h:body()
      local text = body:getBytes(0, body:length())
      if text:find("forbidden", 1, true) then
        h:respond({[":status"] = "403", ["x-reason"] = "word"}, "refused\n")
      end
      body:setBytes(text:upper())
    end)")});
  auto echoed = post(setup.proxy.port(), "/echo", "quiet words");
  BOOST_REQUIRE(echoed);
  BOOST_TEST(echoed->status == 200);
  BOOST_TEST(echoed->body == "QUIET WORDS");
  const uint64_t upstream_before = setup.upstreamRequests();
  auto refused = post(setup.proxy.port(), "/echo", "a forbidden word");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 403);
  BOOST_TEST(refused->body == "refused\n");
  BOOST_TEST(refused->header("x-reason").value_or("") == "word");
  BOOST_TEST(setup.upstreamRequests() == upstream_before);
}

BOOST_AUTO_TEST_CASE(the_body_is_read_after_an_http_call) {
  // Envoy's documented order: ask an auth service, then look at the body.
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      local headers = h:httpCall("backend", {[":method"] = "GET",
        [":path"] = "/status/200", [":authority"] = "auth.local"}, nil, 2000)
      if headers[":status"] ~= "200" then h:respond({[":status"] = "403"}, "denied") end
      local body = h:body()
      body:setBytes(body:getBytes(0, body:length()):upper())
    end)")});
  auto small = post(setup.proxy.port(), "/echo", "quiet words");
  BOOST_REQUIRE(small);
  BOOST_TEST(small->status == 200);
  BOOST_TEST(small->body == "QUIET WORDS");
  // More than one read's worth arrives while the call is out; all of it is buffered.
  auto large = post(setup.proxy.port(), "/echo", std::string(300000, 'a'));
  BOOST_REQUIRE(large);
  BOOST_TEST(large->status == 200);
  BOOST_TEST((large->body == std::string(300000, 'A')));
}

BOOST_AUTO_TEST_CASE(respond_answers_without_the_upstream) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      if h:headers():get(":path") == "/local" then
        h:respond({[":status"] = 418, ["content-type"] = "text/plain"}, "teapot\n")
      end
    end)")});
  BOOST_REQUIRE(get(setup.proxy.port(), "/warm"));
  const uint64_t upstream_before = setup.upstreamRequests();
  auto response = get(setup.proxy.port(), "/local");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 418);
  BOOST_TEST(response->body == "teapot\n");
  BOOST_TEST(!response->header("x-upstream-name").has_value());
  BOOST_TEST(setup.upstreamRequests() == upstream_before);
}

BOOST_AUTO_TEST_CASE(http_call_asks_another_cluster_before_the_request_goes_on) {
  LuaSpec spec{inlineSource(R"(
    function on_request(h)
      local code = h:headers():get("x-code") or "200"
      local cluster = h:headers():get("x-cluster") or "backend"
      local headers, body = h:httpCall(cluster, {[":method"] = "GET",
        [":path"] = "/status/" .. code, [":authority"] = "auth.local"}, nil, 2000)
      if headers == nil then
        h:respond({[":status"] = "502"}, "auth unreachable: " .. body)
      elseif headers[":status"] ~= "200" then
        h:respond({[":status"] = "403"}, "denied: " .. headers[":status"])
      else
        h:headers():add("x-auth-said", (body:gsub("\n", "")))
      end
    end)")};
  spec.extra_clusters =
      "  - name: dead\n    connect_timeout: 1s\n    endpoints: [ { address: "
      "127.0.0.1, port: " +
      std::to_string(pickFreePort()) + " } ]\n";
  LuaProxy setup(spec);
  auto allowed = get(setup.proxy.port(), "/headers");
  BOOST_REQUIRE(allowed);
  BOOST_TEST(allowed->status == 200);
  BOOST_TEST(echoedHeader(*allowed, "x-auth-said").value_or("") == "status 200", allowed->body);
  auto denied = get(setup.proxy.port(), "/headers", "x-code: 401\r\n");
  BOOST_REQUIRE(denied);
  BOOST_TEST(denied->status == 403);
  BOOST_TEST(denied->body == "denied: 401");
  auto unreachable = get(setup.proxy.port(), "/headers", "x-cluster: dead\r\n");
  BOOST_REQUIRE(unreachable);
  BOOST_TEST(unreachable->status == 502);
  BOOST_TEST(unreachable->body == "auth unreachable: connect_failure");
  // An unknown cluster is a script error, as in Envoy.
  auto unknown = get(setup.proxy.port(), "/headers", "x-cluster: nowhere\r\n");
  BOOST_REQUIRE(unknown);
  BOOST_TEST(unknown->status == 500);
  BOOST_TEST(setup.proxy.process().stderrShows("httpCall: no cluster named 'nowhere'"),
             setup.proxy.process().stderrText());
}

BOOST_AUTO_TEST_CASE(ctx_travels_from_request_to_response_to_log) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      proxy.ctx.path = h:headers():get(":path")
      proxy.ctx.started = h:timestamp()
    end
    function on_response(h)
      h:headers():add("x-ctx-path", proxy.ctx.path)
      h:headers():add("x-previous-log", tostring(proxy.shared.logs:get("last")))
    end
    function on_log(h)
      proxy.shared.logs:set("last", proxy.ctx.path .. " " .. proxy.var.status)
    end)",
                               R"(shared_dicts: { logs: 65536 })")});
  auto first = get(setup.proxy.port(), "/first");
  BOOST_REQUIRE(first);
  BOOST_TEST(first->header("x-ctx-path").value_or("") == "/first");
  BOOST_TEST(first->header("x-previous-log").value_or("") == "nil");
  // on_log runs after the response went out; the next request reads what it stored.
  std::optional<HttpResponse> second;
  BOOST_TEST(eventually([&] {
    second = get(setup.proxy.port(), "/second");
    return second && second->header("x-previous-log").value_or("") == "/first 200";
  }));
  BOOST_TEST(second->header("x-ctx-path").value_or("") == "/second");
}

BOOST_AUTO_TEST_CASE(a_script_error_answers_500_and_is_counted) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      if h:headers():get(":path") == "/boom" then error("kaboom") end
    end)")});
  auto failed = get(setup.proxy.port(), "/boom");
  BOOST_REQUIRE(failed);
  BOOST_TEST(failed->status == 500);
  auto fine = get(setup.proxy.port(), "/fine");
  BOOST_REQUIRE(fine);
  BOOST_TEST(fine->status == 200);
  BOOST_TEST(setup.luaStat("errors") == 1u);
  BOOST_TEST(setup.proxy.process().stderrShows("lua: inline: on_request failed: inline:3: kaboom"),
             setup.proxy.process().stderrText());
}

BOOST_AUTO_TEST_CASE(fail_open_passes_the_request_through_also_after_a_wait) {
  for (const char* script :
       {"function on_request(h) error('kaboom') end",
        "function on_request(h) proxy.sleep(0.001) error('after the nap') end"}) {
    BOOST_TEST_CONTEXT(script) {
      LuaProxy setup({inlineSource(script), true});
      auto response = get(setup.proxy.port(), "/");
      BOOST_REQUIRE(response);
      BOOST_TEST(response->status == 200);
      BOOST_TEST(response->body == "hello from origin\n");
      BOOST_TEST(setup.luaStat("errors") == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_error_after_a_wait_answers_500) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      proxy.sleep(0.001)
      error("after the nap")
    end)")});
  auto refused = get(setup.proxy.port(), "/");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 500);
  BOOST_TEST(setup.upstreamRequests() == 0u);
}

BOOST_AUTO_TEST_CASE(an_error_after_a_wait_once_the_response_began_resets_the_stream) {
  LuaProxy setup({inlineSource(R"(
    function on_response(h)
      for chunk in h:bodyChunks() do
        proxy.sleep(0.001)
        error("mid-body")
      end
    end)")});
  auto connection = HttpConnection::open(setup.proxy.port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(request("GET", "/bytes/100000", "", "")));
  // The headers went out before the script failed: the only signal left is a cut connection,
  // at once (not the read timeout of a stream left hanging).
  const auto start = std::chrono::steady_clock::now();
  auto response = connection->readResponse(std::chrono::milliseconds(3000));
  BOOST_TEST((!response || response->body.size() < 100000u));
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
  BOOST_TEST(eventually([&] { return setup.luaStat("errors") == 1u; }));
}

BOOST_AUTO_TEST_CASE(a_runaway_loop_answers_500_and_the_next_request_is_fine) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      if h:headers():get(":path") == "/spin" then while true do end end
      h:headers():add("x-spun", "no")
    end)"),
                  false, 1});
  const auto start = std::chrono::steady_clock::now();
  auto spun = get(setup.proxy.port(), "/spin");
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_REQUIRE(spun);
  BOOST_TEST(spun->status == 500);
  BOOST_TEST(took < std::chrono::seconds(2));
  auto next = get(setup.proxy.port(), "/headers");  // one worker: the same one
  BOOST_REQUIRE(next);
  BOOST_TEST(next->status == 200);
  BOOST_TEST(echoedHeader(*next, "x-spun").value_or("") == "no");
  BOOST_TEST(setup.luaStat("budget_exceeded") == 1u);
}

BOOST_AUTO_TEST_CASE(a_shared_dict_counts_across_two_workers) {
  LuaProxy setup({fromFile("counter.lua", "shared_dicts: { hits: 65536 }")});
  constexpr int kRequests = 40;
  std::set<int> counts;
  std::set<std::string> workers;
  for (int i = 0; i < kRequests; ++i) {
    auto response = get(setup.proxy.port(), "/");  // a fresh connection each time
    BOOST_REQUIRE(response);
    BOOST_REQUIRE(response->status == 200);
    counts.insert(std::stoi(response->header("x-count").value_or("0")));
    workers.insert(response->header("x-worker").value_or("?"));
  }
  BOOST_TEST(counts.size() == static_cast<size_t>(kRequests));  // each count handed out once
  BOOST_TEST(*counts.begin() == 1);
  BOOST_TEST(*counts.rbegin() == kRequests);
  BOOST_TEST(workers == (std::set<std::string>{"0", "1"}));
}

BOOST_AUTO_TEST_CASE(a_reload_keeps_in_flight_requests_on_their_version) {
  auto version = [](const char* tag) {
    return LuaSpec{inlineSource(std::string(R"(
      function on_request(h)
        if h:headers():get(":path") == "/slow" then proxy.sleep(0.5) end
        h:headers():add("x-version", ")") +
                                tag + R"(")
      end)")};
  };
  Upstream upstream("origin");
  Proxy proxy(luaBootstrap(upstream.port(), version("v1")));
  auto slow = HttpConnection::open(proxy.port());
  BOOST_REQUIRE(slow);
  BOOST_REQUIRE(slow->send(request("GET", "/slow")));
  // The request is in the proxy (sleeping in v1's script) before the reload.
  BOOST_REQUIRE(eventually(
      [&] { return proxy.stat("listener.ingress.downstream_rq_active").value_or(0) == 1; }));
  const uint64_t reloads = proxy.stat("server.reload_success").value_or(0);
  proxy.reload(luaBootstrap(upstream.port(), version("v2")));
  BOOST_REQUIRE(
      eventually([&] { return proxy.stat("server.reload_success").value_or(0) > reloads; }));
  auto fresh = get(proxy.port(), "/headers");
  BOOST_REQUIRE(fresh);
  BOOST_TEST(echoedHeader(*fresh, "x-version").value_or("") == "v2");
  auto finished = slow->readResponse();
  BOOST_REQUIRE(finished);
  BOOST_TEST(finished->status == 200);
  BOOST_TEST(finished->body == "hello from origin\n");
  auto again = HttpConnection::open(proxy.port());
  BOOST_REQUIRE(again);
  BOOST_REQUIRE(again->send(request("GET", "/headers")));
  auto echoed = again->readResponse();
  BOOST_REQUIRE(echoed);
  BOOST_TEST(echoedHeader(*echoed, "x-version").value_or("") == "v2");
}

BOOST_AUTO_TEST_CASE(each_worker_runs_its_timers_and_a_reload_runs_pending_ones_premature) {
  // Each worker's state starts a periodic timer at its top level (OpenResty's init_worker idiom).
  auto version = [](const std::string& tag) {
    return LuaSpec{inlineSource(R"(
      local tag = ")" + tag + R"("
      proxy.timer.every(0.005, function(premature)
        local d = proxy.shared.timers
        d:incr("ticks." .. tag .. "." .. proxy.worker.id(), 1, 0)
        if premature then d:set("premature." .. tag .. "." .. proxy.worker.id(), true) end
      end)
      function on_request(h)
        local d = proxy.shared.timers
        local function both(key)
          return tostring(d:get(key .. ".v1.0")) .. " " .. tostring(d:get(key .. ".v1.1"))
        end
        h:headers():add("x-ticks", both("ticks"))
        h:headers():add("x-premature", both("premature"))
      end)",
                                "shared_dicts: { timers: 65536 }")};
  };
  LuaProxy setup(version("v1"));
  auto echoed = [&](const char* name) {
    auto response = get(setup.proxy.port(), "/headers");
    return response ? echoedHeader(*response, name).value_or("") : "";
  };
  BOOST_REQUIRE(eventually([&] {
    const std::string ticks = echoed("x-ticks");
    return ticks.find("nil") == std::string::npos && std::stoi(ticks) >= 3 &&
           std::stoi(ticks.substr(ticks.find(' '))) >= 3;
  }));
  BOOST_TEST(echoed("x-premature") == "nil nil");
  const uint64_t reloads = setup.proxy.stat("server.reload_success").value_or(0);
  setup.proxy.reload(luaBootstrap(setup.upstream.port(), version("v2")));
  BOOST_REQUIRE(
      eventually([&] { return setup.proxy.stat("server.reload_success").value_or(0) > reloads; }));
  // v1's workers stopped: their pending callbacks ran once more, premature; v2's now tick.
  BOOST_TEST(eventually([&] { return echoed("x-premature") == "true true"; }));
  BOOST_TEST(setup.luaStat("errors") == 0);
}

BOOST_AUTO_TEST_CASE(envoy_style_header_rewrite_runs_unchanged) {
  LuaProxy setup({fromFile("envoy_header_rewrite.lua")});
  auto response =
      get(setup.proxy.port(), "/headers", "user-agent: curl\r\nx-internal-secret: s3cret\r\n");
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200);
  BOOST_TEST(echoedHeader(*response, "x-request-tagged").value_or("") == "envoy-style");
  BOOST_TEST(echoedHeader(*response, "user-agent").value_or("") == "lua-rewritten");
  BOOST_TEST(!echoedHeader(*response, "x-internal-secret").has_value());
  BOOST_TEST(response->header("x-response-tagged").value_or("") == "envoy-style");
  BOOST_TEST(response->header("x-upstream-name").value_or("") == "hidden");
}

BOOST_AUTO_TEST_CASE(envoy_style_body_inspection_runs_unchanged) {
  LuaProxy setup({fromFile("envoy_body_inspection.lua")});
  auto plain = get(setup.proxy.port(), "/");
  BOOST_REQUIRE(plain);
  BOOST_TEST(plain->status == 200);
  BOOST_TEST(plain->header("response-body-size").value_or("") ==
             std::to_string(plain->body.size()));
  auto echoed = post(setup.proxy.port(), "/echo", "twelve bytes");
  BOOST_REQUIRE(echoed);
  BOOST_TEST(echoed->body == "twelve bytes");
  BOOST_TEST(echoed->header("response-body-size").value_or("") == "12");
  auto refused = post(setup.proxy.port(), "/echo", "this is forbidden");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 403);
  BOOST_TEST(refused->body == "body refused");
}

BOOST_AUTO_TEST_CASE(envoy_style_local_reply_runs_unchanged) {
  LuaProxy setup({fromFile("envoy_local_reply.lua")});
  auto refused = get(setup.proxy.port(), "/");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 401);
  BOOST_TEST(refused->body == "missing token");
  BOOST_TEST(refused->header("www-authenticate").value_or("") == "Bearer");
  auto allowed = get(setup.proxy.port(), "/", "authorization: Bearer t\r\n");
  BOOST_REQUIRE(allowed);
  BOOST_TEST(allowed->status == 200);
}

BOOST_AUTO_TEST_CASE(a_script_that_does_not_compile_stops_the_proxy_from_starting) {
  LuaSpec spec{inlineSource("function on_request(h)\n  return = 1\nend")};
  auto result = runProxyToExit(luaBootstrap(pickFreePort(), spec), std::chrono::seconds(10));
  BOOST_TEST(result.status != 0);
  BOOST_TEST(result.stderr_text.find("filter 'script': lua: inline:2:") != std::string::npos,
             result.stderr_text);
}

BOOST_AUTO_TEST_CASE(http_call_yields_so_200_concurrent_streams_wait_together) {
  AuthLuaProxy setup({inlineSource(R"(
    function on_request(h)
      local headers, err = h:httpCall("auth", {[":method"] = "GET", [":path"] = "/delay/100",
        [":authority"] = "auth"}, nil, 4000)
      if headers == nil then
        h:respond({[":status"] = "502"}, "auth failed: " .. err)
      else
        h:headers():add("x-auth-status", headers[":status"])
      end
    end)")});
  const std::string url = "http://127.0.0.1:" + std::to_string(setup.proxy.port()) + "/headers";
  const auto start = std::chrono::steady_clock::now();
  // 4 h2c connections with 50 streams each: 200 scripts waiting in httpCall at the same time.
  ProgramRun load =
      runProgram({"/usr/bin/h2load", "-n", "200", "-c", "4", "-m", "50", url}, milliseconds(15000));
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_REQUIRE_MESSAGE(load.status == 0, load.err);
  BOOST_TEST(load.out.find("200 succeeded, 0 failed") != std::string::npos, load.out);
  BOOST_TEST(load.out.find("status codes: 200 2xx, 0 3xx, 0 4xx, 0 5xx") != std::string::npos,
             load.out);
  // One after another, 200 callouts of 100 ms would take 10 s even on both workers.
  BOOST_TEST(took < std::chrono::seconds(5), load.out);
  BOOST_TEST(setup.requestsTo("auth") == 200u);
  BOOST_TEST(setup.requestsTo("backend") == 200u);
  auto one = get(setup.proxy.port(), "/headers");
  BOOST_REQUIRE(one);
  BOOST_TEST(one->status == 200);
  BOOST_TEST(echoedHeader(*one, "x-auth-status").value_or("") == "200", one->body);
}

BOOST_AUTO_TEST_CASE(an_http_call_timeout_reaches_the_script_which_answers_504) {
  AuthLuaProxy setup({inlineSource(R"(
    function on_request(h)
      local headers, err = h:httpCall("auth", {[":method"] = "GET", [":path"] = "/delay/2000",
        [":authority"] = "auth"}, nil, 100)
      if headers == nil then
        h:respond({[":status"] = "504"}, "auth said nothing: " .. err)
      else
        h:headers():add("x-auth-status", headers[":status"])
      end
    end)")});
  const auto start = std::chrono::steady_clock::now();
  auto response = get(setup.proxy.port(), "/headers");
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 504);
  BOOST_TEST(response->body == "auth said nothing: timeout");
  // The timer counts from the loop's cached time, which may be a millisecond older than the
  // request: allow a little less than 100 ms.
  BOOST_TEST(took >= milliseconds(90));
  BOOST_TEST(took < std::chrono::seconds(1));
  BOOST_TEST(setup.requestsTo("backend") == 0u);
  BOOST_TEST(setup.proxy.stat("lua.filter.script.errors").value_or(0) == 0u);  // not a script error
}

BOOST_AUTO_TEST_CASE(envoy_style_external_auth_allows_and_denies) {
  AuthLuaProxy setup({fromFile("envoy_external_auth.lua")});
  auto allowed = get(setup.proxy.port(), "/headers");
  BOOST_REQUIRE(allowed);
  BOOST_TEST(allowed->status == 200);
  BOOST_TEST(echoedHeader(*allowed, "x-auth-status").value_or("") == "200", allowed->body);
  BOOST_TEST(setup.requestsTo("backend") == 1u);

  auto denied = get(setup.proxy.port(), "/headers", "x-auth-verdict: 403\r\n");
  BOOST_REQUIRE(denied);
  BOOST_TEST(denied->status == 403);
  BOOST_TEST(denied->body == "denied by auth");
  BOOST_TEST(!denied->header("x-upstream-name").has_value());
  BOOST_TEST(setup.requestsTo("backend") == 1u);  // the denied request went no further
  BOOST_TEST(setup.requestsTo("auth") == 2u);
}

BOOST_AUTO_TEST_CASE(a_script_over_its_memory_limit_answers_500_and_the_next_is_fine) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      if h:headers():get(":path") == "/hoard" then
        local hoard = {}
        for i = 1, 100000 do hoard[i] = string.rep("x", 1000) .. i end
      end
      h:headers():add("x-hoarded", "no")
    end)",
                               "memory_limit_bytes: 2097152"),
                  false, 1});
  // Twice: the state must come back usable after each failure (one worker: the same state).
  for (uint64_t round = 1; round <= 2; ++round) {
    auto hoarded = get(setup.proxy.port(), "/hoard");
    BOOST_REQUIRE(hoarded);
    BOOST_TEST(hoarded->status == 500);
    BOOST_TEST(setup.luaStat("memory_errors") == round);
    auto next = get(setup.proxy.port(), "/headers");
    BOOST_REQUIRE(next);
    BOOST_TEST(next->status == 200);
    BOOST_TEST(echoedHeader(*next, "x-hoarded").value_or("") == "no", next->body);
  }
  BOOST_TEST(setup.luaStat("errors") == 0u);
  BOOST_TEST(setup.luaStat("budget_exceeded") == 0u);
  BOOST_TEST(setup.upstreamRequests() == 2u);
  BOOST_TEST(setup.proxy.process().stderrShows("lua: inline: on_request failed: not enough memory"),
             setup.proxy.process().stderrText());
}

BOOST_AUTO_TEST_CASE(metadata_reads_the_matched_routes_filter_metadata) {
  // Envoy files a filter's route metadata under the filter's name ("script" here); then the
  // usual Envoy name, then "lua". Values keep their types; maps and lists are tables.
  LuaSpec spec{inlineSource(R"(
    function on_request(h)
      local md = h:metadata()
      local tags = md:get("tags")
      local keys = {}
      for key in pairs(md) do keys[#keys + 1] = key end
      table.sort(keys)
      h:headers():add("x-meta", table.concat({tostring(md:get("greeting")),
        type(md:get("count")) .. ":" .. tostring(md:get("count") and md:get("count") + 1),
        tostring(md:get("quoted")), tostring(md:get("on")),
        tags and (tags[1] .. "+" .. tags[2]) or "nil",
        tostring(md:get("limits") and md:get("limits").rps), tostring(md:get("absent")),
        table.concat(keys, " ")}, ","))
    end)")};
  spec.extra_routes =
      "          - match: { prefix: /own }\n"
      "            prefix_rewrite: /headers\n"
      "            cluster: backend\n"
      "            metadata: { filter_metadata: { script: { greeting: mine }, "
      "envoy.filters.http.lua: { greeting: envoys } } }\n"
      "          - match: { prefix: /meta }\n"
      "            prefix_rewrite: /headers\n"
      "            cluster: backend\n"
      "            metadata: { filter_metadata: { envoy.filters.http.lua: { greeting: hello, "
      "count: 3, quoted: '7', 'on': true, tags: [a, b], limits: { rps: 50 }, gone: null }, "
      "lua: { absent: elsewhere } } }\n"
      "          - match: { prefix: /fallback }\n"
      "            prefix_rewrite: /headers\n"
      "            cluster: backend\n"
      "            metadata: { filter_metadata: { lua: { greeting: fallback } } }\n";
  LuaProxy setup(spec);
  auto typed = get(setup.proxy.port(), "/meta");
  BOOST_REQUIRE(typed);
  BOOST_TEST(typed->status == 200);
  BOOST_TEST(echoedHeader(*typed, "x-meta").value_or("") ==
                 "hello,number:4,7,true,a+b,50,nil,count greeting limits on quoted tags",
             typed->body);
  auto own = get(setup.proxy.port(), "/own");
  BOOST_REQUIRE(own);
  BOOST_TEST(echoedHeader(*own, "x-meta").value_or("").starts_with("mine,"), own->body);
  auto fallback = get(setup.proxy.port(), "/fallback");
  BOOST_REQUIRE(fallback);
  BOOST_TEST(echoedHeader(*fallback, "x-meta").value_or("").starts_with("fallback,"),
             fallback->body);
  auto without = get(setup.proxy.port(), "/headers");  // the catch-all route: no metadata
  BOOST_REQUIRE(without);
  BOOST_TEST(without->status == 200);
  BOOST_TEST(echoedHeader(*without, "x-meta").value_or("") == "nil,nil:nil,nil,nil,nil,nil,nil,",
             without->body);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
