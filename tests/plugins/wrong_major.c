/* wrong_major: a module built for a future major of the ABI; the host must refuse it at load. */
#include "weft/filter_abi.h"

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "wrong_major",
    .version = "1.0.0",
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  (void)host_api;
  return &kModule;
}
