/*
 * add_header.c — a Weft filter in plain C11, built out of tree against weft/filter_abi.h alone:
 *
 *   cc -std=c11 -O2 -shared -fPIC -fvisibility=hidden -I<weft>/plugins/include add_header.c \
 *      -o add_header.so
 *
 * Config: {"header": "x-hello", "value": "from-weft"} ("value" may be omitted: empty value).
 * It adds that header to the request before it goes upstream and to the response, counts requests
 * in the counter add_header.requests, and logs one line per finished stream with its response
 * code and duration.
 *
 * The config is the only state: config_new parses it once (main thread), every stream reads it
 * (workers), and stream_new hands the same pointer back as the stream context, so a request costs
 * no allocation. The host guarantees the config outlives every stream that began with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft/filter_abi.h"

#define MAX_NAME 128
#define MAX_VALUE 1024

typedef struct add_header_config {
  char header[MAX_NAME];
  size_t header_len;
  char value[MAX_VALUE];
  size_t value_len;
  int64_t requests; /* counter id */
} add_header_config;

/* Set once by weft_filter_module_init; valid for the life of the process. */
static const weft_host_api* g_host;

static weft_str view(const char* p, size_t n) {
  weft_str s = {p, n};
  return s;
}

static weft_str cstr(const char* s) { return view(s, strlen(s)); }

/* ---- A deliberately small JSON reader: one flat object whose values are strings. ---------- */

typedef struct cursor {
  const char* p;
  const char* end;
} cursor;

static void skip_space(cursor* c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) {
    c->p++;
  }
}

/* Reads a JSON string at c->p into out (NUL-terminated, at most cap-1 bytes). Returns a message on
 * failure, NULL on success. \uXXXX escapes are refused to keep this reader tiny. */
static const char* read_string(cursor* c, char* out, size_t cap, size_t* len) {
  size_t n = 0;
  if (c->p >= c->end || *c->p != '"') return "expected a string";
  c->p++;
  while (c->p < c->end && *c->p != '"') {
    char ch = *c->p++;
    if ((unsigned char)ch < 0x20) return "control character in a string";
    if (ch == '\\') {
      if (c->p >= c->end) return "unterminated string";
      switch (*c->p++) {
        case '"':
          ch = '"';
          break;
        case '\\':
          ch = '\\';
          break;
        case '/':
          ch = '/';
          break;
        case 't':
          ch = '\t';
          break;
        case 'n':
          ch = '\n';
          break;
        case 'r':
          ch = '\r';
          break;
        default:
          return "unsupported escape in a string";
      }
    }
    if (n + 1 >= cap) return "string too long";
    out[n++] = ch;
  }
  if (c->p >= c->end) return "unterminated string";
  c->p++; /* closing quote */
  out[n] = '\0';
  *len = n;
  return NULL;
}

/* RFC 9110 token characters: what a header name may contain. */
static int is_token(const char* s, size_t n) {
  static const char extra[] = "!#$%&'*+-.^_`|~";
  size_t i;
  if (n == 0) return 0;
  for (i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch != '\0' && strchr(extra, ch) != NULL))) {
      return 0;
    }
  }
  return 1;
}

/* Parses {"header": "...", "value": "..."} into cfg. On failure returns a message and, when the
 * failure concerns one field, leaves that field's name in key (a buffer of key_cap bytes). */
static const char* parse_config(cursor* c, add_header_config* cfg, int* has_header, char* key,
                                size_t key_cap) {
  size_t key_len;
  const char* err;
  skip_space(c);
  if (c->p >= c->end || *c->p != '{') return "config must be a JSON object";
  c->p++;
  skip_space(c);
  if (c->p < c->end && *c->p == '}') {
    c->p++;
    return NULL;
  }
  for (;;) {
    skip_space(c);
    if ((err = read_string(c, key, key_cap, &key_len)) != NULL) {
      key[0] = '\0';
      return err;
    }
    skip_space(c);
    if (c->p >= c->end || *c->p != ':') return "expected ':' after the key";
    c->p++;
    skip_space(c);
    if (strcmp(key, "header") == 0) {
      err = read_string(c, cfg->header, sizeof(cfg->header), &cfg->header_len);
      *has_header = 1;
    } else if (strcmp(key, "value") == 0) {
      err = read_string(c, cfg->value, sizeof(cfg->value), &cfg->value_len);
    } else {
      return "unknown field (supported: header, value)";
    }
    if (err != NULL) return err;
    key[0] = '\0';
    skip_space(c);
    if (c->p < c->end && *c->p == ',') {
      c->p++;
      continue;
    }
    if (c->p < c->end && *c->p == '}') {
      c->p++;
      return NULL;
    }
    return "expected ',' or '}'";
  }
}

/* ---- Hooks. -------------------------------------------------------------------------------- */

static int config_new(weft_config_host* host_config, weft_str json, void** config_out, char* error,
                      size_t error_cap) {
  add_header_config* cfg = calloc(1, sizeof(*cfg));
  const char* text = json.ptr != NULL ? json.ptr : "";
  cursor c = {text, text + json.len};
  int has_header = 0;
  char key[32] = "";
  const char* err;
  if (cfg == NULL) {
    err = "out of memory";
  } else if ((err = parse_config(&c, cfg, &has_header, key, sizeof(key))) != NULL) {
    /* err says what is wrong */
  } else if (skip_space(&c), c.p != c.end) {
    err = "trailing characters after the config object";
  } else if (!has_header) {
    err = "missing \"header\": the name of the header to add, e.g. {\"header\": \"x-hello\"}";
  } else if (!is_token(cfg->header, cfg->header_len)) {
    err = "\"header\" is not a valid header name";
  } else if (memchr(cfg->value, '\r', cfg->value_len) || memchr(cfg->value, '\n', cfg->value_len)) {
    err = "\"value\" must not contain CR or LF";
  }
  if (err == NULL) {
    cfg->requests = g_host->define_counter(host_config, cstr("add_header.requests"));
    if (cfg->requests < 0) err = "could not define the counter add_header.requests";
  }
  if (err != NULL) {
    if (error_cap > 0 && key[0] != '\0') {
      snprintf(error, error_cap, "add-header: \"%s\": %s", key, err);
    } else if (error_cap > 0) {
      snprintf(error, error_cap, "add-header: %s", err);
    }
    free(cfg);
    return 1;
  }
  *config_out = cfg;
  return 0;
}

static void config_destroy(void* config) { free(config); }

static void* stream_new(void* config, void* worker_state, weft_stream_host* stream) {
  (void)worker_state;
  (void)stream;
  return config; /* no per-stream state: the context is the (immutable) config */
}

static weft_status add_to(weft_stream_host* stream, const add_header_config* cfg, weft_map map) {
  g_host->header_add(stream, map, view(cfg->header, cfg->header_len),
                     view(cfg->value, cfg->value_len));
  return WEFT_CONTINUE;
}

static weft_status on_request_headers(void* ctx, weft_stream_host* stream, bool end_stream) {
  const add_header_config* cfg = ctx;
  (void)end_stream;
  g_host->counter_add(cfg->requests, 1);
  return add_to(stream, cfg, WEFT_MAP_REQUEST_HEADERS);
}

static weft_status on_response_headers(void* ctx, weft_stream_host* stream, bool end_stream) {
  (void)end_stream;
  return add_to(stream, ctx, WEFT_MAP_RESPONSE_HEADERS);
}

static void on_stream_complete(void* ctx, weft_stream_host* stream) {
  uint64_t code = 0, duration_us = 0;
  weft_str route = view("-", 1);
  char line[256];
  int n;
  (void)ctx;
  g_host->stream_info_u64(stream, WEFT_INFO_RESPONSE_CODE, &code);
  g_host->stream_info_u64(stream, WEFT_INFO_DURATION_US, &duration_us);
  g_host->stream_info_str(stream, WEFT_INFO_ROUTE_NAME, &route);
  n = snprintf(line, sizeof(line),
               "add-header: stream complete: code=%llu duration=%.3fms route=%.*s",
               (unsigned long long)code, (double)duration_us / 1000.0,
               (int)(route.len > 64 ? 64 : route.len), route.ptr);
  if (n > 0) g_host->log(WEFT_LOG_INFO, cstr(line));
}

static const weft_filter_module k_module = {
    .struct_size = sizeof(weft_filter_module),
    .abi_major = WEFT_ABI_MAJOR,
    .abi_minor = WEFT_ABI_MINOR,
    .name = "add-header",
    .version = "1.0.0",
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .on_request_headers = on_request_headers,
    .on_response_headers = on_response_headers,
    .on_stream_complete = on_stream_complete,
};

/* The one exported symbol. Refuse (NULL) a host of another ABI major or one lacking a function
 * this filter calls. */
WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api* host) {
  if (host == NULL || host->abi_major != WEFT_ABI_MAJOR) return NULL;
  if (!WEFT_HOST_HAS(host, stream_info_u64) || !host->log || !host->define_counter ||
      !host->counter_add || !host->header_add || !host->stream_info_u64 || !host->stream_info_str) {
    if (WEFT_HOST_HAS(host, log) && host->log) {
      host->log(WEFT_LOG_ERROR, cstr("add-header: host lacks a required function"));
    }
    return NULL;
  }
  g_host = host;
  return &k_module;
}
