/* no_entry: a shared object that exports a symbol, but not weft_filter_module_init (a typo an
 * author could make); the host must refuse it at load. */
#include "weft/filter_abi.h"

WEFT_EXPORT const weft_filter_module* weft_filter_module_initialize(const weft_host_api* host) {
  (void)host;
  return NULL;
}
