// ModuleRegistry: finds the code behind a filter entry — a built-in filter registered by name, or
// a third-party .so opened with dlopen(RTLD_NOW | RTLD_LOCAL) — and checks its ABI version.
// Modules are never unloaded (dlclose is unreliable with thread-locals and static destructors);
// a new version of a plugin is a new file. Main thread only. A registry lives as long as the
// process (it owns the padded copies of short module tables that FilterInstances point into).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "weft/filter_abi.h"

namespace weft::plugins {

struct LoadedModule {
  // The module's table, or a host-owned copy zero-padded to this host's sizeof(weft_filter_module)
  // when the module was built against an older minor: every hook field is safe to read (NULL =
  // not implemented). table->struct_size is always the module's own.
  const weft_filter_module* table = nullptr;
  std::string origin;  // the .so path, or "builtin:<name>"
};

class ModuleRegistry {
 public:
  // Makes a built-in filter available under `name` (e.g. "router"). Its init function is called
  // with the host table exactly like a plugin's entry point.
  void registerBuiltin(std::string name, weft_filter_module_init_fn init);

  // The built-in named `name`, or an error listing the known built-ins.
  Result<const LoadedModule*> builtin(std::string_view name);

  // Opens `path` once (later calls return the same module). Errors name the path and say what
  // failed: the file cannot be opened (dlerror's text), the entry symbol is missing, the entry
  // returned NULL, or the ABI major differs ("built for ABI 2.0, this proxy speaks ABI 1.0").
  Result<const LoadedModule*> load(const std::string& path);

 private:
  Result<const LoadedModule*> admit(const weft_filter_module* table, std::string origin);

  std::map<std::string, weft_filter_module_init_fn, std::less<>> builtins_;
  std::map<std::string, std::unique_ptr<LoadedModule>, std::less<>> loaded_;  // by origin
  std::deque<weft_filter_module> padded_tables_;  // copies of short tables; never freed
};

// Checks a module table against this host's ABI: a NULL table, a different major, a struct_size
// too small for the mandatory header fields, or a missing name/version is refused. `origin` is a
// LoadedModule origin; messages start "plugin <path>: " or "built-in filter '<name>': ".
Status checkModuleVersion(const weft_filter_module* table, std::string_view origin);

// "plugin <path>" or "built-in filter '<name>'", for messages about a module.
std::string describeOrigin(std::string_view origin);

}  // namespace weft::plugins
