/* describe_request: tells the test what a filter sees of a request, whatever its protocol. It adds
 * "x-weft-saw: <:method> <:scheme> <:authority> <:path> <protocol>" to the request (so the
 * upstream echoes it) and "x-weft-saw-status: <:status>" to the response. Stateless. */
#include <string.h>

#include "weft/filter_abi.h"

#define STR(literal) ((weft_str){literal, sizeof(literal) - 1})

static const weft_host_api* host;

/* Appends `part` and a space to out (of capacity cap, used *len); truncates quietly. */
static void append(char* out, size_t cap, size_t* len, weft_str part) {
  size_t n = part.len < cap - *len - 1 ? part.len : cap - *len - 1;
  memcpy(out + *len, part.ptr, n);
  *len += n;
  if (*len < cap - 1) out[(*len)++] = ' ';
}

static weft_str header(weft_stream_host* stream, weft_map map, weft_str name) {
  weft_str value = STR("-");
  host->header_get(stream, map, name, 0, &value);
  return value;
}

static weft_status on_request_headers(void* stream_ctx, weft_stream_host* stream, bool end_stream) {
  (void)stream_ctx;
  (void)end_stream;
  char saw[512];
  size_t len = 0;
  static const weft_str kPseudo[] = {STR(":method"), STR(":scheme"), STR(":authority"),
                                     STR(":path")};
  for (size_t i = 0; i < sizeof(kPseudo) / sizeof(kPseudo[0]); ++i) {
    append(saw, sizeof(saw), &len, header(stream, WEFT_MAP_REQUEST_HEADERS, kPseudo[i]));
  }
  weft_str protocol = STR("-");
  host->stream_info_str(stream, WEFT_INFO_PROTOCOL, &protocol);
  append(saw, sizeof(saw), &len, protocol);
  host->header_add(stream, WEFT_MAP_REQUEST_HEADERS, STR("x-weft-saw"),
                   (weft_str){saw, len > 0 ? len - 1 : 0});
  return WEFT_CONTINUE;
}

static weft_status on_response_headers(void* stream_ctx, weft_stream_host* stream,
                                       bool end_stream) {
  (void)stream_ctx;
  (void)end_stream;
  host->header_add(stream, WEFT_MAP_RESPONSE_HEADERS, STR("x-weft-saw-status"),
                   header(stream, WEFT_MAP_RESPONSE_HEADERS, STR(":status")));
  return WEFT_CONTINUE;
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "describe_request",
    .version = "1.0.0",
    .on_request_headers = on_request_headers,
    .on_response_headers = on_response_headers,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  host = host_api;
  return &kModule;
}
