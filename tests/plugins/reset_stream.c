/* reset_stream: once the upstream's response headers arrive for a request whose path starts with
 * "/reset", abandons the stream with stream_reset (ABI 1.1): the client gets no response and its
 * connection is closed. Every other request passes. Stateless. */
#include <string.h>

#include "weft/filter_abi.h"

#define STR(literal) ((weft_str){literal, sizeof(literal) - 1})

static const weft_host_api* host;

static weft_status on_response_headers(void* stream_ctx, weft_stream_host* stream,
                                       bool end_stream) {
  (void)stream_ctx;
  (void)end_stream;
  weft_str path;
  if (!WEFT_HOST_HAS(host, stream_reset) ||
      !host->header_get(stream, WEFT_MAP_REQUEST_HEADERS, STR(":path"), 0, &path) || path.len < 6 ||
      memcmp(path.ptr, "/reset", 6) != 0) {
    return WEFT_CONTINUE;
  }
  host->stream_reset(stream);
  return WEFT_STOP_ITERATION;
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "reset_stream",
    .version = "1.0.0",
    .on_response_headers = on_response_headers,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  host = host_api;
  return &kModule;
}
