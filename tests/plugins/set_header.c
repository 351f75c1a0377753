/* set_header: adds "x-weft-filter: set-header" to every request and "x-weft-seen: 1" to every
 * response, so integration tests can see a plugin touch both directions. Stateless. */
#include "weft/filter_abi.h"

#define STR(literal) ((weft_str){literal, sizeof(literal) - 1})

static const weft_host_api* host;

static weft_status on_request_headers(void* stream_ctx, weft_stream_host* stream, bool end_stream) {
  (void)stream_ctx;
  (void)end_stream;
  host->header_add(stream, WEFT_MAP_REQUEST_HEADERS, STR("x-weft-filter"), STR("set-header"));
  return WEFT_CONTINUE;
}

static weft_status on_response_headers(void* stream_ctx, weft_stream_host* stream,
                                       bool end_stream) {
  (void)stream_ctx;
  (void)end_stream;
  host->header_add(stream, WEFT_MAP_RESPONSE_HEADERS, STR("x-weft-seen"), STR("1"));
  return WEFT_CONTINUE;
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "set_header",
    .version = "1.0.0",
    .on_request_headers = on_request_headers,
    .on_response_headers = on_response_headers,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  host = host_api;
  return &kModule;
}
