/* peer_identity: tells the test what a filter learns about a TLS peer. It adds
 * "x-weft-peer: <spiffe id>|<subject>|<sni>" to the request (so the upstream echoes it), each part
 * from stream_info_str (WEFT_INFO_PEER_IDENTITY, WEFT_INFO_PEER_SUBJECT,
 * WEFT_INFO_REQUESTED_SERVER_NAME) or "-" when the host does not know it. Stateless. */
#include <string.h>

#include "weft/filter_abi.h"

#define STR(literal) ((weft_str){literal, sizeof(literal) - 1})

static const weft_host_api* host;

/* Appends stream fact `key` (or "-") to out (of capacity cap, used *len), then `separator` unless
 * it is NUL; truncates quietly. */
static void append_fact(weft_stream_host* stream, weft_info_str key, char separator, char* out,
                        size_t cap, size_t* len) {
  weft_str value;
  if (!host->stream_info_str(stream, key, &value)) value = STR("-");
  size_t room = cap - *len - 1;
  size_t n = value.len < room ? value.len : room;
  memcpy(out + *len, value.ptr, n);
  *len += n;
  if (separator != '\0' && *len < cap - 1) out[(*len)++] = separator;
}

static weft_status on_request_headers(void* stream_ctx, weft_stream_host* stream, bool end_stream) {
  (void)stream_ctx;
  (void)end_stream;
  char peer[1024];
  size_t len = 0;
  append_fact(stream, WEFT_INFO_PEER_IDENTITY, '|', peer, sizeof(peer), &len);
  append_fact(stream, WEFT_INFO_PEER_SUBJECT, '|', peer, sizeof(peer), &len);
  append_fact(stream, WEFT_INFO_REQUESTED_SERVER_NAME, '\0', peer, sizeof(peer), &len);
  host->header_add(stream, WEFT_MAP_REQUEST_HEADERS, STR("x-weft-peer"), (weft_str){peer, len});
  return WEFT_CONTINUE;
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "peer_identity",
    .version = "1.0.0",
    .on_request_headers = on_request_headers,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  host = host_api;
  return &kModule;
}
