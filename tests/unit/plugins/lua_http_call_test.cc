// handle:httpCall(): through the host's http_call and on_http_call_done (ABI 1.2), the clear
// refusal on an older host, and the Lua side against a client of the test's own: arguments in
// both of Envoy's forms, the wait, the result, and fire-and-forget calls.
#include <boost/test/unit_test.hpp>
#include <cstddef>

#include "plugins/host/filter_instance.h"
#include "plugins/lua/lua_stream.h"
#include "tests/unit/plugins/lua_test_support.h"

namespace weft::lua::testing {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class RecordingClient final : public HttpCallClient {
 public:
  Result<int64_t> start(weft_stream_host*, const HttpCallRequest& request) override {
    requests.push_back(request);
    return static_cast<int64_t>(100 + requests.size());
  }
  std::vector<HttpCallRequest> requests;
};

std::string headerValue(const HeaderList& headers, const std::string& name) {
  std::string out;
  for (const auto& [key, value] : headers) {
    if (key == name) out += (out.empty() ? "" : ",") + value;
  }
  return out;
}

constexpr char kAuthScript[] = R"(
  function on_request(h)
    local headers, body = h:httpCall("auth", {
      [":method"] = "POST", [":path"] = "/check", [":authority"] = "auth.local",
      ["x-user"] = h:headers():get("x-user"), ["x-multi"] = {"a", "b"}}, "payload", 250)
    if headers == nil then
      h:respond({[":status"] = "503"}, "auth failed: " .. body)
    elseif headers[":status"] ~= "200" then
      h:respond({[":status"] = "403"}, body or "")
    else
      h:headers():add("x-auth", headers["x-verdict"])
    end
  end)";

}  // namespace

BOOST_AUTO_TEST_SUITE(lua_http_call)

BOOST_AUTO_TEST_CASE(a_host_older_than_abi_1_2_refuses_with_a_clear_error) {
  weft_host_api abi_1_1 = *plugins::hostApi();  // the table as a 1.1 host hands it out
  abi_1_1.struct_size = offsetof(weft_host_api, stream_add_response_flag);
  abi_1_1.abi_minor = 1;
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local ok, err = pcall(h.httpCall, h, "c", {[":method"] = "GET", [":path"] = "/",
                                                 [":authority"] = "x"})
      h:headers():add("x-err", tostring(err))
    end)"),
                   hostHttpCallClient(&abi_1_1));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-err").value_or("") ==
             "httpCall needs ABI 1.2 (not available in this host)");
}

BOOST_AUTO_TEST_CASE(through_the_host_http_call_and_on_http_call_done) {
  LuaFilter filter(inlineConfig(kAuthScript));  // the host's own client
  Exchange allowed(filter);
  BOOST_TEST(allowed.requestHeaders(true, "/", {{"x-user", "alice"}}) == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(allowed.stream().http_calls.size() == 1u);
  const FakeStream::Call& call = allowed.stream().http_calls[0];
  BOOST_TEST(call.cluster == "auth");
  BOOST_TEST(call.body == "payload");
  BOOST_TEST(call.timeout_ms == 250u);
  BOOST_TEST(headerValue(call.headers, ":path") == "/check");
  BOOST_TEST(headerValue(call.headers, "x-multi") == "a,b");

  const weft_header response_headers[] = {{toWeftStr(":status"), toWeftStr("200")},
                                          {toWeftStr("x-verdict"), toWeftStr("allow")}};
  weft_http_call_result ok{200, {nullptr, 0}, response_headers, 2, toWeftStr("")};
  allowed.httpCallDone(501, ok);
  BOOST_TEST(allowed.requestHeader("x-auth").value_or("") == "allow");
  BOOST_TEST(allowed.stream().continued_requests == 1);

  Exchange failed(filter);
  failed.requestHeaders(true, "/", {{"x-user", "bob"}});
  weft_http_call_result timeout{0, toWeftStr("timeout"), nullptr, 0, {nullptr, 0}};
  failed.httpCallDone(501, timeout);
  BOOST_REQUIRE(failed.stream().reply.has_value());
  BOOST_TEST(failed.stream().reply->body == "auth failed: timeout");
}

BOOST_AUTO_TEST_CASE(a_header_the_host_refuses_is_an_error) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      h:httpCall("c", {[":method"] = "GET", [":path"] = "/", [":authority"] = "a",
                       ["bad name"] = "v"})
    end)"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == kHookFailed);
  BOOST_TEST(contains(log.text(), "httpCall: the host refused the request"), log.text());
  BOOST_TEST(exchange.stream().http_calls.empty());
}

BOOST_AUTO_TEST_CASE(the_script_waits_for_the_result_then_goes_on) {
  auto client = std::make_shared<RecordingClient>();
  LuaFilter filter(inlineConfig(kAuthScript), client);
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(true, "/", {{"x-user", "alice"}}) == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(client->requests.size() == 1u);
  const HttpCallRequest& sent = client->requests[0];
  BOOST_TEST(sent.cluster == "auth");
  BOOST_TEST(headerValue(sent.headers, ":method") == "POST");
  BOOST_TEST(headerValue(sent.headers, ":path") == "/check");
  BOOST_TEST(headerValue(sent.headers, "x-user") == "alice");
  BOOST_TEST(headerValue(sent.headers, "x-multi") == "a,b");
  BOOST_TEST(sent.body == "payload");
  BOOST_TEST(sent.timeout_ms == 250u);
  BOOST_TEST(!sent.asynchronous);

  HttpCallResult result;
  result.ok = true;
  result.headers = {{":status", "200"}, {"x-verdict", "allow"}};
  auto* stream = static_cast<LuaStream*>(exchange.ctx());
  stream->onHttpCallDone(999, result);  // not ours: ignored
  BOOST_TEST(!exchange.requestHeader("x-auth").has_value());
  stream->onHttpCallDone(101, result);
  BOOST_TEST(exchange.requestHeader("x-auth").value_or("") == "allow");
  BOOST_TEST(exchange.stream().continued_requests == 1);
}

BOOST_AUTO_TEST_CASE(a_denial_and_a_failure_reach_the_script) {
  auto client = std::make_shared<RecordingClient>();
  LuaFilter filter(inlineConfig(kAuthScript), client);
  Exchange denied(filter);
  denied.requestHeaders(true, "/", {{"x-user", "mallory"}});
  HttpCallResult no;
  no.ok = true;
  no.headers = {{":status", "401"}};
  no.body = "who are you";
  static_cast<LuaStream*>(denied.ctx())->onHttpCallDone(101, no);
  BOOST_REQUIRE(denied.stream().reply.has_value());
  BOOST_TEST(denied.stream().reply->status == 403u);
  BOOST_TEST(denied.stream().reply->body == "who are you");

  Exchange failed(filter);
  failed.requestHeaders(true, "/", {{"x-user", "bob"}});
  HttpCallResult timeout;
  timeout.error = "timeout";
  static_cast<LuaStream*>(failed.ctx())->onHttpCallDone(102, timeout);
  BOOST_REQUIRE(failed.stream().reply.has_value());
  BOOST_TEST(failed.stream().reply->status == 503u);
  BOOST_TEST(failed.stream().reply->body == "auth failed: timeout");
}

BOOST_AUTO_TEST_CASE(options_table_and_fire_and_forget) {
  auto client = std::make_shared<RecordingClient>();
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local r = h:httpCall("audit", {[":method"] = "GET", [":path"] = "/log", [":authority"] = "a"},
                           nil, {asynchronous = true, timeout_ms = 50, trace_sampled = false})
      h:headers():add("x-returned", tostring(r))
    end)"),
                   client);
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-returned").value_or("") == "nil");
  BOOST_REQUIRE(client->requests.size() == 1u);
  BOOST_TEST(client->requests[0].asynchronous);
  BOOST_TEST(client->requests[0].timeout_ms == 50u);
  BOOST_TEST(client->requests[0].body.empty());
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_named) {
  auto client = std::make_shared<RecordingClient>();
  const std::pair<const char*, const char*> cases[] = {
      {R"(h:httpCall(5, {}))", "the first argument must be a cluster name"},
      {R"(h:httpCall("c", "x"))", "headers must be a table"},
      {R"(h:httpCall("c", {[":method"] = "GET", [":authority"] = "a"}))",
       "the headers must set :path"},
      {R"(h:httpCall("c", {[":method"] = "GET", [":path"] = "/", [":authority"] = "a", x = true}))",
       "each header needs a string name and a string value"},
      {R"(h:httpCall("c", {[":method"] = "GET", [":path"] = "/", [":authority"] = "a"}, {}))",
       "body must be a string"},
      {R"(h:httpCall("c", {[":method"] = "GET", [":path"] = "/", [":authority"] = "a"}, "", "x"))",
       "timeout_ms must be a number"},
  };
  for (const auto& [call, message] : cases) {
    LuaFilter filter(inlineConfig(std::string("function on_request(h) ") + call + " end"), client);
    CapturedLog log;
    Exchange exchange(filter);
    BOOST_TEST(exchange.requestHeaders() == kHookFailed, call);
    BOOST_TEST(contains(log.text(), message), call << ": " << log.text());
  }
  BOOST_TEST(client->requests.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::lua::testing
