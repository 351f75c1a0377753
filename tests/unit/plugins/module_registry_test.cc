// ModuleRegistry: loading .so plugins (good, wrong ABI major, missing file, missing entry symbol),
// caching by path, built-ins by name, and the padding of tables from older minors.
#include "plugins/host/module_registry.h"

#include <boost/test/unit_test.hpp>
#include <cstddef>
#include <string>

#include "plugins/host/filter_instance.h"
#include "tests/unit/plugins/plugin_test_support.h"

namespace weft::plugins {
namespace {

using testing::moduleTable;
using testing::pluginPath;
using testing::why;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A built-in whose init counts its calls and checks the host table it is given.
int g_echo_inits = 0;
weft_status echoHeaders(void*, weft_stream_host*, bool) { return WEFT_CONTINUE; }
const weft_filter_module kEcho = [] {
  weft_filter_module table = moduleTable("echo", "0.1.0");
  table.on_request_headers = echoHeaders;
  return table;
}();
const weft_filter_module* echoInit(const weft_host_api* host) {
  ++g_echo_inits;
  bool host_ok = host == hostApi() && host->abi_major == WEFT_ABI_MAJOR &&
                 host->struct_size == sizeof(weft_host_api);
  return host_ok ? &kEcho : nullptr;
}

const weft_filter_module* nullInit(const weft_host_api*) { return nullptr; }

// A table from an "older minor": it claims to end before on_request_headers, but the memory
// after that point holds a non-NULL pointer the host must not read as a hook.
int shortConfigNew(weft_config_host*, weft_str, void**, char*, size_t) { return 0; }
const weft_filter_module kShort = [] {
  weft_filter_module table = moduleTable("short", "0.0.1");
  table.struct_size = offsetof(weft_filter_module, on_request_headers);
  table.config_new = shortConfigNew;
  table.on_request_headers = echoHeaders;
  return table;
}();
const weft_filter_module* shortInit(const weft_host_api*) { return &kShort; }

const weft_filter_module kTiny = [] {
  weft_filter_module table = moduleTable("tiny", "0");
  table.struct_size = offsetof(weft_filter_module, name);
  return table;
}();
const weft_filter_module* tinyInit(const weft_host_api*) { return &kTiny; }

}  // namespace

BOOST_AUTO_TEST_SUITE(module_registry)

BOOST_AUTO_TEST_CASE(loads_a_good_plugin_and_reads_its_name_and_version) {
  ModuleRegistry registry;
  auto loaded = registry.load(pluginPath("good_filter"));
  BOOST_REQUIRE_MESSAGE(loaded.isOk(), why(loaded));
  const LoadedModule& module = **loaded;
  BOOST_TEST(std::string(module.table->name) == "good_filter");
  BOOST_TEST(std::string(module.table->version) == "1.0.0");
  BOOST_TEST(module.table->abi_major == WEFT_ABI_MAJOR);
  BOOST_TEST(module.table->struct_size == sizeof(weft_filter_module));
  BOOST_TEST(module.origin == pluginPath("good_filter"));
  BOOST_TEST(module.table->config_new != nullptr);
  BOOST_TEST(module.table->on_response_headers == nullptr);
}

BOOST_AUTO_TEST_CASE(the_same_path_twice_is_the_same_module) {
  ModuleRegistry registry;
  auto first = registry.load(pluginPath("set_header"));
  auto second = registry.load(pluginPath("set_header"));
  BOOST_REQUIRE(first.isOk());
  BOOST_REQUIRE(second.isOk());
  BOOST_TEST(*first == *second);
}

BOOST_AUTO_TEST_CASE(refuses_a_different_major_naming_both_versions) {
  ModuleRegistry registry;
  const std::string path = pluginPath("wrong_major");
  auto loaded = registry.load(path);
  BOOST_REQUIRE(!loaded.isOk());
  BOOST_TEST(loaded.status().message() ==
             "plugin " + path + ": built for Weft filter ABI " +
                 std::to_string(WEFT_ABI_MAJOR + 1) + ".0 but this proxy speaks ABI " +
                 std::to_string(WEFT_ABI_MAJOR) + "." + std::to_string(WEFT_ABI_MINOR) +
                 "; rebuild it against weft/filter_abi.h " + std::to_string(WEFT_ABI_MAJOR) + ".x");
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_reported_with_dlerror) {
  ModuleRegistry registry;
  const std::string path = pluginPath("does_not_exist");
  auto loaded = registry.load(path);
  BOOST_REQUIRE(!loaded.isOk());
  const std::string& message = loaded.status().message();
  BOOST_TEST(message.starts_with("plugin " + path + ": cannot open: "));
  BOOST_TEST(contains(message, "No such file"));
}

BOOST_AUTO_TEST_CASE(a_missing_entry_symbol_is_reported) {
  ModuleRegistry registry;
  const std::string path = pluginPath("no_entry");
  auto loaded = registry.load(path);
  BOOST_REQUIRE(!loaded.isOk());
  BOOST_TEST(loaded.status().message() ==
             "plugin " + path + ": no entry symbol weft_filter_module_init");
}

BOOST_AUTO_TEST_CASE(a_failed_load_is_not_cached) {
  ModuleRegistry registry;
  BOOST_TEST(!registry.load(pluginPath("no_entry")).isOk());
  BOOST_TEST(!registry.load(pluginPath("no_entry")).isOk());
}

BOOST_AUTO_TEST_CASE(builtins_are_found_by_name_and_initialised_once) {
  ModuleRegistry registry;
  registry.registerBuiltin("echo", echoInit);
  const int inits_before = g_echo_inits;
  auto first = registry.builtin("echo");
  BOOST_REQUIRE_MESSAGE(first.isOk(), why(first));
  auto second = registry.builtin("echo");
  BOOST_REQUIRE(second.isOk());
  BOOST_TEST(*first == *second);
  BOOST_TEST(g_echo_inits == inits_before + 1);
  BOOST_TEST((*first)->table == &kEcho);
  BOOST_TEST((*first)->origin == "builtin:echo");
}

BOOST_AUTO_TEST_CASE(an_unknown_builtin_lists_the_known_ones) {
  ModuleRegistry registry;
  auto none = registry.builtin("router");
  BOOST_REQUIRE(!none.isOk());
  BOOST_TEST(none.status().message() == "unknown built-in filter 'router'; known: none");

  registry.registerBuiltin("echo", echoInit);
  registry.registerBuiltin("alpha", echoInit);
  auto missing = registry.builtin("router");
  BOOST_REQUIRE(!missing.isOk());
  BOOST_TEST(missing.status().message() == "unknown built-in filter 'router'; known: alpha, echo");
}

BOOST_AUTO_TEST_CASE(a_builtin_returning_null_is_refused) {
  ModuleRegistry registry;
  registry.registerBuiltin("broken", nullInit);
  auto loaded = registry.builtin("broken");
  BOOST_REQUIRE(!loaded.isOk());
  BOOST_TEST(loaded.status().message() == "built-in filter 'broken': entry returned no module");
}

BOOST_AUTO_TEST_CASE(a_table_from_an_older_minor_reads_missing_hooks_as_null) {
  ModuleRegistry registry;
  registry.registerBuiltin("short", shortInit);
  auto loaded = registry.builtin("short");
  BOOST_REQUIRE_MESSAGE(loaded.isOk(), why(loaded));
  const weft_filter_module& table = *(*loaded)->table;
  BOOST_TEST(&table != &kShort);
  BOOST_TEST(table.struct_size == kShort.struct_size);
  BOOST_TEST(std::string(table.name) == "short");
  BOOST_TEST(table.config_new == &shortConfigNew);
  BOOST_TEST(table.on_request_headers == nullptr);
  BOOST_TEST(table.on_timer == nullptr);
}

BOOST_AUTO_TEST_CASE(a_table_without_its_header_fields_is_refused) {
  ModuleRegistry registry;
  registry.registerBuiltin("tiny", tinyInit);
  auto loaded = registry.builtin("tiny");
  BOOST_REQUIRE(!loaded.isOk());
  BOOST_TEST(loaded.status().message().starts_with("built-in filter 'tiny': module table is " +
                                                   std::to_string(kTiny.struct_size) + " bytes"));
}

BOOST_AUTO_TEST_CASE(check_module_version_refuses_a_nameless_table) {
  weft_filter_module table = kEcho;
  table.name = nullptr;
  Status status = checkModuleVersion(&table, "/p/x.so");
  BOOST_TEST(!status.isOk());
  BOOST_TEST(status.message() == "plugin /p/x.so: module table has no name or no version");
  BOOST_TEST(checkModuleVersion(&kEcho, "/p/x.so").isOk());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::plugins
