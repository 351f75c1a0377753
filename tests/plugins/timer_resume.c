/* timer_resume: holds every request (WEFT_STOP_ITERATION) for {"delay_ms": N} milliseconds
 * (default 50), then adds "x-weft-resumed: <ms actually waited>" and resumes it from on_timer. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft/filter_abi.h"

#define STR(literal) ((weft_str){literal, sizeof(literal) - 1})

typedef struct timer_config {
  uint64_t delay_ms;
} timer_config;

typedef struct timer_stream {
  const timer_config* config;
  struct timespec held_at;
} timer_stream;

static const weft_host_api* host;

/* Crude: the digits after "delay_ms": in the JSON; absent means the default. */
static int config_new(weft_config_host* host_config, weft_str json, void** config_out, char* error,
                      size_t error_cap) {
  (void)host_config;
  static const char kKey[] = "\"delay_ms\"";
  timer_config* config = malloc(sizeof *config);
  if (config == NULL) return 1;
  config->delay_ms = 50;
  for (size_t i = 0; i + sizeof kKey - 1 <= json.len; ++i) {
    if (memcmp(json.ptr + i, kKey, sizeof kKey - 1) != 0) continue;
    size_t at = i + sizeof kKey - 1;
    while (at < json.len && (json.ptr[at] == ' ' || json.ptr[at] == ':')) ++at;
    if (at == json.len || json.ptr[at] < '0' || json.ptr[at] > '9') {
      snprintf(error, error_cap, "delay_ms must be a non-negative integer");
      free(config);
      return 1;
    }
    config->delay_ms = 0;
    while (at < json.len && json.ptr[at] >= '0' && json.ptr[at] <= '9') {
      config->delay_ms = config->delay_ms * 10 + (uint64_t)(json.ptr[at++] - '0');
    }
    break;
  }
  *config_out = config;
  return 0;
}

static void config_destroy(void* config) { free(config); }

static void* stream_new(void* config, void* worker_state, weft_stream_host* stream) {
  (void)worker_state;
  (void)stream;
  timer_stream* ctx = calloc(1, sizeof *ctx);
  if (ctx != NULL) ctx->config = config;
  return ctx;
}

static void stream_destroy(void* stream_ctx) { free(stream_ctx); }

static weft_status on_request_headers(void* stream_ctx, weft_stream_host* stream, bool end_stream) {
  (void)end_stream;
  timer_stream* ctx = stream_ctx;
  if (ctx == NULL) return WEFT_CONTINUE;
  clock_gettime(CLOCK_MONOTONIC, &ctx->held_at);
  if (host->timer_start(stream, ctx->config->delay_ms) < 0) {
    host->log(WEFT_LOG_WARN, STR("timer_resume: timer_start failed; not holding the request"));
    return WEFT_CONTINUE;
  }
  return WEFT_STOP_ITERATION;
}

static void on_timer(void* stream_ctx, weft_stream_host* stream, int64_t token) {
  (void)token;
  const timer_stream* ctx = stream_ctx;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long waited_ms = (long long)(now.tv_sec - ctx->held_at.tv_sec) * 1000 +
                        (now.tv_nsec - ctx->held_at.tv_nsec) / 1000000;
  char value[32];
  int len = snprintf(value, sizeof value, "%lld", waited_ms);
  host->header_add(stream, WEFT_MAP_REQUEST_HEADERS, STR("x-weft-resumed"),
                   (weft_str){value, (size_t)len});
  host->continue_request(stream);
}

static const weft_filter_module kModule = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "timer_resume",
    .version = "1.0.0",
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .stream_destroy = stream_destroy,
    .on_request_headers = on_request_headers,
    .on_timer = on_timer,
};

WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host_api) {
  host = host_api;
  return &kModule;
}
