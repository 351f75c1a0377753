// weft-plugin-info: opens a filter plugin the way the proxy does and prints what it is — name,
// version, the ABI it was built for, the host's ABI, its table size and which hooks it implements.
// Exits 1 with the loader's own message when the proxy would refuse the plugin.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>

#include "plugins/host/module_registry.h"

namespace {

struct Hook {
  const char* name;
  size_t offset;
};

#define WEFT_HOOK(field) \
  Hook { #field, offsetof(weft_filter_module, field) }
constexpr Hook kHooks[] = {
    WEFT_HOOK(config_new),          WEFT_HOOK(config_destroy),   WEFT_HOOK(worker_start),
    WEFT_HOOK(worker_stop),         WEFT_HOOK(stream_new),       WEFT_HOOK(stream_destroy),
    WEFT_HOOK(on_request_headers),  WEFT_HOOK(on_request_body),  WEFT_HOOK(on_request_trailers),
    WEFT_HOOK(on_response_headers), WEFT_HOOK(on_response_body), WEFT_HOOK(on_response_trailers),
    WEFT_HOOK(on_stream_complete),  WEFT_HOOK(on_timer),
};
#undef WEFT_HOOK

// Every hook field is a function pointer; read one by offset without caring about its type.
bool implemented(const weft_filter_module& table, const Hook& hook) {
  void (*fn)() = nullptr;
  std::memcpy(&fn, reinterpret_cast<const char*>(&table) + hook.offset, sizeof fn);
  return fn != nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <plugin.so>\n", argv[0]);
    return 2;
  }
  weft::plugins::ModuleRegistry registry;
  auto loaded = registry.load(argv[1]);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
    return 1;
  }
  const weft_filter_module& table = *(*loaded)->table;

  std::string present;
  std::string absent;
  for (const Hook& hook : kHooks) {
    std::string& list = implemented(table, hook) ? present : absent;
    list += list.empty() ? "" : " ";
    list += hook.name;
  }
  std::printf("plugin:      %s\n", argv[1]);
  std::printf("name:        %s\n", table.name);
  std::printf("version:     %s\n", table.version);
  std::printf("built for:   Weft filter ABI %u.%u\n", table.abi_major, table.abi_minor);
  std::printf("host speaks: Weft filter ABI %d.%d\n", WEFT_ABI_MAJOR, WEFT_ABI_MINOR);
  std::printf("struct_size: %u bytes (this host's table: %zu bytes)\n", table.struct_size,
              sizeof(weft_filter_module));
  std::printf("hooks:       %s\n", present.empty() ? "(none)" : present.c_str());
  std::printf("not set:     %s\n", absent.empty() ? "(none)" : absent.c_str());
  return 0;
}
