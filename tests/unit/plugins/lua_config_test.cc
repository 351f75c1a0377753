// The lua filter's config block through the real host's config_new: fields and their checks,
// scripts that do not compile or fail at their top level, entry points, files, and the sandbox.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>

#include "tests/unit/plugins/lua_test_support.h"

namespace weft::lua::testing {
namespace {

// The message config_new refused `json` with ("" if it was accepted).
std::string refusal(const std::string& json) {
  auto loaded = LuaFilter::load(json);
  return loaded.isOk() ? std::string() : loaded.status().message();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lua_config)

BOOST_AUTO_TEST_CASE(a_script_with_options_is_accepted) {
  BOOST_TEST(refusal(inlineConfig("function on_request(h) end",
                                  R"("instruction_budget": 5000, "memory_limit_bytes": 2097152,
                                     "body_limit": 10, "shared_dicts": {"hits": 65536})")) == "");
}

BOOST_AUTO_TEST_CASE(exactly_one_of_source_and_path) {
  BOOST_TEST(contains(refusal("{}"), "exactly one of \"source\" and \"path\""));
  BOOST_TEST(contains(refusal(R"({"source": "x = 1", "path": "/x.lua"})"), "exactly one of"));
  BOOST_TEST(contains(refusal("[1, 2]"), "config must be an object"));
}

BOOST_AUTO_TEST_CASE(unknown_fields_and_bad_values_are_named) {
  const std::string script = "function on_request(h) end";
  std::string unknown = refusal(inlineConfig(script, R"("budget": 5)"));
  BOOST_TEST(contains(unknown, "test.yaml:1: filter '"), unknown);
  BOOST_TEST(contains(unknown, "lua: unknown field 'budget' (supported: source, path"), unknown);
  BOOST_TEST(contains(refusal(inlineConfig(script, R"("instruction_budget": 0)")),
                      "instruction_budget must be an integer from 1 to 2147483647"));
  BOOST_TEST(contains(refusal(inlineConfig(script, R"("instruction_budget": 3000000000)")),
                      "instruction_budget must be an integer"));
  BOOST_TEST(contains(refusal(inlineConfig(script, R"("memory_limit_bytes": 1000)")),
                      "memory_limit_bytes must be an integer from 1048576"));
  BOOST_TEST(contains(refusal(inlineConfig(script, R"("body_limit": "big")")),
                      "body_limit must be an integer"));
  BOOST_TEST(contains(refusal(inlineConfig(script, R"("shared_dicts": {"9lives": 65536})")),
                      "shared_dicts: '9lives' is not a name"));
  BOOST_TEST(contains(refusal(inlineConfig(script, R"("shared_dicts": {"small": 10})")),
                      "shared_dicts.small must be an integer from 4096"));
  BOOST_TEST(contains(refusal(inlineConfig(script, R"("shared_dicts": [1])")),
                      "shared_dicts must be a map"));
}

BOOST_AUTO_TEST_CASE(a_script_that_does_not_compile_fails_with_lua_message_and_line) {
  const std::string message =
      refusal(inlineConfig("function on_request(h)\n  local x = = 1\nend\n"));
  BOOST_TEST(contains(message, "lua: inline:2: unexpected symbol near '='"), message);
}

BOOST_AUTO_TEST_CASE(a_top_level_error_fails_the_config) {
  const std::string message =
      refusal(inlineConfig("local t = nil\n\nfunction on_request(h) end\nprint(t.field)\n"));
  BOOST_TEST(contains(message, "lua: inline:4: attempt to index local 't' (a nil value)"), message);
}

BOOST_AUTO_TEST_CASE(a_runaway_top_level_is_stopped_by_the_budget) {
  const std::string message = refusal(inlineConfig("function on_request(h) end\nwhile true do end",
                                                   R"("instruction_budget": 1000)"));
  BOOST_TEST(contains(message, "instruction budget of 1000 exceeded"), message);
}

BOOST_AUTO_TEST_CASE(entry_points_are_required_and_must_be_functions) {
  BOOST_TEST(contains(refusal(inlineConfig("x = 1")), "the script defines no entry point"));
  BOOST_TEST(contains(refusal(inlineConfig("on_request = 5")), "on_request must be a function"));
  BOOST_TEST(refusal(inlineConfig("function envoy_on_response(h) end")) == "");
  BOOST_TEST(refusal(inlineConfig("function on_log(h) end")) == "");
}

BOOST_AUTO_TEST_CASE(a_script_file_is_read_and_named_in_messages) {
  char path[] = "/tmp/weft-lua-script-XXXXXX";
  const int fd = ::mkstemp(path);
  BOOST_REQUIRE(fd >= 0);
  ::close(fd);
  {
    std::ofstream out(path);
    out << "function on_request(h)\n  h:headers():add('x-from-file', 'yes')\nend\n";
  }
  const std::string config = std::string(R"({"path": ")") + path + "\"}";
  {
    LuaFilter filter(config);
    Exchange exchange(filter);
    BOOST_TEST(exchange.requestHeaders() == WEFT_CONTINUE);
    BOOST_TEST(exchange.requestHeader("x-from-file").value_or("") == "yes");
  }
  {
    std::ofstream out(path);
    out << "function on_request(h)\nend end\n";
  }
  const std::string message = refusal(config);
  BOOST_TEST(contains(message, std::string("lua: ") + path + ":2: '<eof>' expected near 'end'"),
             message);
  ::unlink(path);
  BOOST_TEST(contains(refusal(config), std::string("lua: cannot read path '") + path + "'"));
}

BOOST_AUTO_TEST_CASE(the_sandbox_keeps_what_is_safe_and_removes_the_rest) {
  // The top level checks the environment; an error fails the config with its line.
  const std::string script = R"(
    for _, name in ipairs({"io", "require", "package", "dofile", "loadfile", "load",
                           "loadstring", "ffi", "jit", "newproxy", "module"}) do
      assert(_G[name] == nil, name .. " should not exist")
    end
    assert(os.execute == nil and os.exit == nil and os.getenv == nil, "os is trimmed")
    assert(type(os.time()) == "number" and type(os.clock()) == "number")
    assert(debug.sethook == nil and debug.getmetatable == nil and type(debug.traceback) == "function")
    assert(string.dump == nil)
    assert(bit.band(6, 3) == 2 and math.floor(2.5) == 2 and table.concat({1, 2}, ",") == "1,2")
    assert(coroutine.wrap(function() coroutine.yield(7) end)() == 7)
    local seen = 0
    for k, v in pairs({a = 1, b = 2}) do seen = seen + v end
    assert(seen == 3, "pairs over a table")
    assert(getmetatable(proxy) == "locked")
    function on_request(h) end
  )";
  BOOST_TEST(refusal(inlineConfig(script)) == "");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::lua::testing
