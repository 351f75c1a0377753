/* reject_config: refuses any config without a string "greeting", to show that a module's own
 * message reaches the person who wrote the config. The check is deliberately crude. */
#include <stdio.h>
#include <string.h>

#include "weft/filter_abi.h"

static bool contains(weft_str haystack, const char* needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= haystack.len; ++i) {
    if (memcmp(haystack.ptr + i, needle, n) == 0) return true;
  }
  return false;
}

static int config_new(weft_config_host* host_config, weft_str json, void** config_out, char* error,
                      size_t error_cap) {
  (void)host_config;
  if (!contains(json, "\"greeting\":\"")) {
    snprintf(error, error_cap, "greeting must be a string");
    return 1;
  }
  *config_out = NULL;
  return 0;
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "reject_config",
    .version = "1.0.0",
    .config_new = config_new,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  (void)host_api;
  return &kModule;
}
