// ModuleRegistry: built-in filters by name and .so plugins by path, each admitted once after its
// ABI version check. See module_registry.h.
#include "plugins/host/module_registry.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstring>

#include "plugins/host/filter_instance.h"

namespace weft::plugins {
namespace {

constexpr std::string_view kBuiltinPrefix = "builtin:";

// Every 1.x table has at least the fields up to `version`; hooks after it may be absent.
constexpr size_t kMinModuleTableSize =
    offsetof(weft_filter_module, version) + sizeof(weft_filter_module::version);

}  // namespace

std::string describeOrigin(std::string_view origin) {
  if (origin.starts_with(kBuiltinPrefix)) {
    return "built-in filter '" + std::string(origin.substr(kBuiltinPrefix.size())) + "'";
  }
  return "plugin " + std::string(origin);
}

Status checkModuleVersion(const weft_filter_module* table, std::string_view origin) {
  const std::string who = describeOrigin(origin);
  if (table == nullptr) return Status::error(who + ": entry returned no module");
  if (table->abi_major != WEFT_ABI_MAJOR) {
    return Status::error(who + ": built for Weft filter ABI " + std::to_string(table->abi_major) +
                         "." + std::to_string(table->abi_minor) + " but this proxy speaks ABI " +
                         std::to_string(WEFT_ABI_MAJOR) + "." + std::to_string(WEFT_ABI_MINOR) +
                         "; rebuild it against weft/filter_abi.h " +
                         std::to_string(WEFT_ABI_MAJOR) + ".x");
  }
  if (table->struct_size < kMinModuleTableSize) {
    return Status::error(who + ": module table is " + std::to_string(table->struct_size) +
                         " bytes, smaller than the " + std::to_string(kMinModuleTableSize) +
                         " every Weft filter ABI " + std::to_string(WEFT_ABI_MAJOR) +
                         ".x table starts with");
  }
  if (table->name == nullptr || table->version == nullptr) {
    return Status::error(who + ": module table has no name or no version");
  }
  return Status::ok();
}

void ModuleRegistry::registerBuiltin(std::string name, weft_filter_module_init_fn init) {
  builtins_[std::move(name)] = init;
}

Result<const LoadedModule*> ModuleRegistry::builtin(std::string_view name) {
  std::string origin = std::string(kBuiltinPrefix) + std::string(name);
  if (auto it = loaded_.find(origin); it != loaded_.end()) return it->second.get();

  auto it = builtins_.find(name);
  if (it == builtins_.end()) {
    std::string known;
    for (const auto& [builtin_name, init] : builtins_) {
      known += (known.empty() ? "" : ", ") + builtin_name;
    }
    return Status::error("unknown built-in filter '" + std::string(name) +
                         "'; known: " + (known.empty() ? "none" : known));
  }
  return admit(it->second(hostApi()), std::move(origin));
}

Result<const LoadedModule*> ModuleRegistry::load(const std::string& path) {
  if (auto it = loaded_.find(path); it != loaded_.end()) return it->second.get();

  const std::string who = describeOrigin(path);
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::error(who + ": cannot open: " + (why != nullptr ? why : "unknown error"));
  }
  // The handle is deliberately never closed, even on the failures below: unloading is unsafe.
  dlerror();
  void* entry = dlsym(handle, WEFT_FILTER_ENTRY);
  if (entry == nullptr) return Status::error(who + ": no entry symbol " WEFT_FILTER_ENTRY);

  auto init = reinterpret_cast<weft_filter_module_init_fn>(entry);
  return admit(init(hostApi()), path);
}

Result<const LoadedModule*> ModuleRegistry::admit(const weft_filter_module* table,
                                                  std::string origin) {
  if (Status checked = checkModuleVersion(table, origin); !checked) return checked;

  if (table->struct_size < sizeof(weft_filter_module)) {
    // Built against an older minor: copy what it has into a zeroed full-size table, so the host
    // reads the hooks it lacks as NULL instead of past the end of the module's table.
    weft_filter_module& padded = padded_tables_.emplace_back();
    std::memset(&padded, 0, sizeof padded);
    std::memcpy(&padded, table, table->struct_size);
    table = &padded;
  }
  auto module = std::make_unique<LoadedModule>(LoadedModule{table, origin});
  const LoadedModule* result = module.get();
  loaded_.emplace(std::move(origin), std::move(module));
  return result;
}

}  // namespace weft::plugins
