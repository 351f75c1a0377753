/* local_reply: answers 403 "denied by local_reply\n" (with "x-weft-denied: 1") to any request
 * whose path starts with "/deny"; every other request continues. Stateless. */
#include <string.h>

#include "weft/filter_abi.h"

#define STR(literal) ((weft_str){literal, sizeof(literal) - 1})

static const weft_host_api* host;

static weft_status on_request_headers(void* stream_ctx, weft_stream_host* stream, bool end_stream) {
  (void)stream_ctx;
  (void)end_stream;
  weft_str path;
  if (!host->header_get(stream, WEFT_MAP_REQUEST_HEADERS, STR(":path"), 0, &path) || path.len < 5 ||
      memcmp(path.ptr, "/deny", 5) != 0) {
    return WEFT_CONTINUE;
  }
  const weft_header headers[] = {{STR("x-weft-denied"), STR("1")}};
  host->send_local_reply(stream, 403, STR("denied by local_reply\n"), headers, 1,
                         STR("local_reply_denied"));
  return WEFT_STOP_ITERATION;
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "local_reply",
    .version = "1.0.0",
    .on_request_headers = on_request_headers,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  host = host_api;
  return &kModule;
}
