// Helpers the plugin host's unit tests share: test plugin paths, module tables, Result messages.
#pragma once

#include <string>

#include "core/common/status.h"
#include "weft/filter_abi.h"

namespace weft::plugins::testing {

// A failed Result's message, for test output (Boost evaluates the message even on success).
template <typename T>
std::string why(const Result<T>& result) {
  return result.isOk() ? std::string() : result.status().message();
}

// A test plugin built into WEFT_TEST_PLUGIN_DIR (tests/plugins/<name>.c).
inline std::string pluginPath(const std::string& name) {
  return std::string(WEFT_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

// A current-version table with every hook NULL (C++ has no partial designated initializers).
inline weft_filter_module moduleTable(const char* name, const char* version = "1") {
  weft_filter_module table{};
  table.struct_size = sizeof(weft_filter_module);
  table.abi_major = WEFT_ABI_MAJOR;
  table.abi_minor = WEFT_ABI_MINOR;
  table.name = name;
  table.version = version;
  return table;
}

}  // namespace weft::plugins::testing
