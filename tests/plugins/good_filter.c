/* good_filter: the "no-op .so filter". It accepts any config, defines one counter
 * (requests_total) and adds 1 to it per request; nothing else, so its cost is the ABI's own. */
#include <stdlib.h>

#include "weft/filter_abi.h"

typedef struct good_config {
  int64_t requests_total;
} good_config;

static const weft_host_api* host;

static int config_new(weft_config_host* host_config, weft_str json, void** config_out, char* error,
                      size_t error_cap) {
  static const char kName[] = "requests_total";
  (void)json;
  (void)error;
  (void)error_cap;
  good_config* config = malloc(sizeof *config);
  if (config == NULL) return 1;
  config->requests_total = host->define_counter(host_config, (weft_str){kName, sizeof kName - 1});
  *config_out = config;
  return 0;
}

static void config_destroy(void* config) { free(config); }

/* The stream context is the config itself: no allocation per stream. */
static void* stream_new(void* config, void* worker_state, weft_stream_host* stream) {
  (void)worker_state;
  (void)stream;
  return config;
}

static weft_status on_request_headers(void* stream_ctx, weft_stream_host* stream, bool end_stream) {
  (void)stream;
  (void)end_stream;
  host->counter_add(((const good_config*)stream_ctx)->requests_total, 1);
  return WEFT_CONTINUE;
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "good_filter",
    .version = "1.0.0",
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .on_request_headers = on_request_headers,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  host = host_api;
  return &kModule;
}
