/*
 * weft/filter_abi.h — the Weft HTTP filter ABI, version 1.
 *
 * This one C header is everything a filter author compiles against. A filter is a shared object
 * that exports exactly one symbol, weft_filter_module_init(); the proxy loads it with
 * dlopen(RTLD_NOW | RTLD_LOCAL), calls that function with the host's function table, and gets
 * back the module's hook table. Weft's own filters (the router among them) use this same ABI.
 *
 * VERSIONING. Both tables begin with struct_size, abi_major and abi_minor. A module whose major
 * differs from the host's is refused at load with a message naming both. Within one major, tables
 * only grow at the end: before calling a host function added in a later minor, a module checks
 * that host->struct_size covers it (WEFT_HOST_HAS(host, field)); the host does the same with the
 * module table. A NULL hook means "not implemented": the host continues as if it returned
 * WEFT_CONTINUE.
 *
 * OWNERSHIP. Nothing allocated on one side is freed on the other. Strings are weft_str views:
 *   - views the host hands out (header names/values, body slices, stream info) stay valid until
 *     the hook returns or the map/body they came from is changed, whichever comes first;
 *   - views the module passes in are copied by the host before the call returns.
 * Handles named weft_*_host are owned by the host; void* contexts are owned by the module.
 *
 * THREADS. module init, config_new and config_destroy run on the main thread. worker_start/stop
 * and every stream hook run on one worker thread; hooks of one worker never run concurrently.
 * Host functions that take a stream must be called on that stream's worker, during one of its
 * hooks or callbacks. Metric updates and log() may be called from any thread.
 *
 * LIFECYCLE.
 *   weft_filter_module_init (once) → config_new (per filter entry in config, every (re)load)
 *   → worker_start (per worker, per config) → stream_new (per request) → on_request_headers →
 *   on_request_body* → on_request_trailers? → on_response_headers → on_response_body* →
 *   on_response_trailers? → on_stream_complete (after the response is sent; for logging) →
 *   stream_destroy → … → worker_stop → config_destroy.
 * A config is destroyed only after every stream that began with it has finished.
 */
#ifndef WEFT_FILTER_ABI_H
#define WEFT_FILTER_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_ABI_MAJOR 1
#define WEFT_ABI_MINOR 5

/* True when table `t` (host or module) is new enough to contain `field`. */
#define WEFT_HOST_HAS(t, field) \
  ((t)->struct_size >= offsetof(__typeof__(*(t)), field) + sizeof((t)->field))

/* A borrowed byte string; not NUL-terminated. */
typedef struct weft_str {
  const char* ptr;
  size_t len;
} weft_str;

/* A header field passed from the module to the host (for local replies). */
typedef struct weft_header {
  weft_str name;
  weft_str value;
} weft_header;

/* What a hook tells the host to do next with this direction of the stream. */
typedef enum weft_status {
  /* Pass the headers/data on to the next filter. */
  WEFT_CONTINUE = 0,
  /* Hold the headers (and everything after them) until the filter calls continue_request /
   * continue_response. Body data that arrives meanwhile is queued behind the held headers
   * (bounded by the listener's body buffer limit); once the filter continues, it passes through
   * the body hooks in order, this filter's included. */
  WEFT_STOP_ITERATION = 1,
  /* Collect the whole body (up to the buffer limit, else 413) and call the body hook once more
   * with end_stream = true and the buffered body readable. From a headers hook only. */
  WEFT_STOP_AND_BUFFER = 2,
} weft_status;

/* Which header map a header call acts on. */
typedef enum weft_map {
  WEFT_MAP_REQUEST_HEADERS = 0,
  WEFT_MAP_REQUEST_TRAILERS = 1,
  WEFT_MAP_RESPONSE_HEADERS = 2,
  WEFT_MAP_RESPONSE_TRAILERS = 3,
} weft_map;

/* Which body a body call acts on: the data of the current body hook, in either direction. */
typedef enum weft_body {
  WEFT_BODY_REQUEST = 0,
  WEFT_BODY_RESPONSE = 1,
} weft_body;

typedef enum weft_log_level {
  WEFT_LOG_DEBUG = 0,
  WEFT_LOG_INFO = 1,
  WEFT_LOG_WARN = 2,
  WEFT_LOG_ERROR = 3,
} weft_log_level;

/* String facts about a stream (stream_info_str). Append-only. */
typedef enum weft_info_str {
  WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS = 0, /* "ip:port" of the client */
  WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS = 1,  /* "ip:port" the client connected to */
  WEFT_INFO_PROTOCOL = 2,                  /* "HTTP/1.0", "HTTP/1.1", "HTTP/2" */
  WEFT_INFO_ROUTE_NAME = 3,                /* set by the router */
  WEFT_INFO_CLUSTER_NAME = 4,              /* set by the router */
  WEFT_INFO_UPSTREAM_HOST = 5,             /* "ip:port" once an upstream was chosen */
  WEFT_INFO_REQUEST_ID = 6,                /* x-request-id */
  WEFT_INFO_PEER_IDENTITY = 7,             /* SPIFFE id of a TLS peer; absent without TLS */
  WEFT_INFO_LISTENER_NAME = 8,
  WEFT_INFO_RESPONSE_FLAGS = 9,         /* Envoy-style short flags, e.g. "UF,URX"; "-" if none */
  WEFT_INFO_PEER_SUBJECT = 10,          /* (1.2) subject (RFC 2253) of a TLS peer's certificate */
  WEFT_INFO_REQUESTED_SERVER_NAME = 11, /* (1.2) the SNI a TLS client asked for */
} weft_info_str;

/* Numeric facts about a stream (stream_info_u64). Times are microseconds. Append-only. */
typedef enum weft_info_u64 {
  WEFT_INFO_RESPONSE_CODE = 0,
  WEFT_INFO_BYTES_RECEIVED = 1,           /* request body bytes from downstream */
  WEFT_INFO_BYTES_SENT = 2,               /* response body bytes to downstream */
  WEFT_INFO_START_TIME_UNIX_US = 3,       /* wall clock when the request began */
  WEFT_INFO_DURATION_US = 4,              /* so far, or total once complete */
  WEFT_INFO_UPSTREAM_SERVICE_TIME_US = 5, /* request sent upstream → response headers back */
  WEFT_INFO_WORKER_INDEX = 6,
} weft_info_u64;

/* (1.2) What an http_call brought back, as on_http_call_done sees it. Views valid during the hook.
 */
typedef struct weft_http_call_result {
  uint32_t status;            /* the upstream's HTTP status; 0 when no response came */
  weft_str failure;           /* when status is 0: "timeout", "connect_failure", "reset",
                                 "overflow", "too_large" (body over the limit) or "no_cluster" */
  const weft_header* headers; /* response fields (":status" included) */
  size_t header_count;
  weft_str body; /* the whole response body (one contiguous view) */
} weft_http_call_result;

/* (1.3) When the host retries an upstream attempt (weft_retry_policy.retry_on): one bit per
 * condition, meaning what Envoy's retry_on name of the same spelling means. A "failure" is an
 * attempt that got no response headers: a connect failure, a reset or disconnect, an HTTP/2
 * REFUSED_STREAM, or the per-try timeout passing.
 *   5xx                    any 5xx response, and every failure
 *   gateway-error          a 502, 503 or 504 response, and every failure
 *   reset                  every failure
 *   reset-before-request   a failure before any byte of the request went upstream
 *   connect-failure        no connection to a host could be made (refused, connect timeout)
 *   retriable-4xx          a 409 response
 *   refused-stream         an HTTP/2 REFUSED_STREAM (the server did not process the request)
 *   retriable-status-codes a response whose status is in retriable_status_codes
 *   cancelled, deadline-exceeded, internal, resource-exhausted, unavailable
 *                          gRPC: that grpc-status (1, 4, 13, 8, 14) in the response headers
 *                          (a trailers-only response); a grpc-status in trailers is never retried
 * Append-only. */
#define WEFT_RETRY_ON_5XX (1u << 0)
#define WEFT_RETRY_ON_GATEWAY_ERROR (1u << 1)
#define WEFT_RETRY_ON_RESET (1u << 2)
#define WEFT_RETRY_ON_RESET_BEFORE_REQUEST (1u << 3)
#define WEFT_RETRY_ON_CONNECT_FAILURE (1u << 4)
#define WEFT_RETRY_ON_RETRIABLE_4XX (1u << 5)
#define WEFT_RETRY_ON_REFUSED_STREAM (1u << 6)
#define WEFT_RETRY_ON_RETRIABLE_STATUS_CODES (1u << 7)
#define WEFT_RETRY_ON_CANCELLED (1u << 8)
#define WEFT_RETRY_ON_DEADLINE_EXCEEDED (1u << 9)
#define WEFT_RETRY_ON_INTERNAL (1u << 10)
#define WEFT_RETRY_ON_RESOURCE_EXHAUSTED (1u << 11)
#define WEFT_RETRY_ON_UNAVAILABLE (1u << 12)

/* (1.3) How the host retries a stream's upstream request (set_retry_policy): Envoy's RetryPolicy,
 * times in milliseconds. Set struct_size to sizeof(weft_retry_policy). Like the tables, the struct
 * only grows at the end: a host reads the fields a smaller struct_size covers (the rest count as
 * 0) and ignores those it does not know.
 * Back-off: before retry n (1 for the first), the host waits a random time in
 * [0, min((2^n - 1) * base_interval_ms, max_interval_ms)) — Envoy's fully jittered exponential
 * back-off: 0-24 ms, 0-74 ms, 0-174 ms, ... with the defaults. */
typedef struct weft_retry_policy {
  uint32_t struct_size;
  uint32_t num_retries;        /* attempts after the first; 0 leaves only the per-try timeout */
  uint32_t retry_on;           /* WEFT_RETRY_ON_* bits */
  uint64_t per_try_timeout_ms; /* each attempt, from going upstream to its response headers;
                                  0: none */
  uint64_t base_interval_ms;   /* 0: 25 */
  uint64_t max_interval_ms;    /* 0: 10 * base_interval_ms; else at least base_interval_ms */
  const uint32_t* retriable_status_codes; /* statuses (100..599) for retriable-status-codes */
  size_t retriable_status_code_count;
} weft_retry_policy;

/* Opaque host-owned handles. */
typedef struct weft_stream_host weft_stream_host; /* one HTTP request/response */
typedef struct weft_config_host weft_config_host; /* one filter entry of one config version */
typedef struct weft_worker_host weft_worker_host; /* one worker thread */

/* ---------------------------------------------------------------------------------------------
 * The host's functions. Every function that can fail returns 0 on success and a negative value
 * on failure (WEFT_ERR_*); booleans report presence.
 */
#define WEFT_OK 0
#define WEFT_ERR_INVALID_ARGUMENT (-1) /* a NULL handle, bad enum, malformed name or value */
#define WEFT_ERR_WRONG_PHASE (-2)      /* e.g. touching response headers before they exist */
#define WEFT_ERR_NOT_FOUND (-3)
#define WEFT_ERR_LIMIT (-4) /* a buffer or count limit would be exceeded */
#define WEFT_ERR_UNSUPPORTED                                         \
  (-5) /* (1.1) the host is older than the function: the SDK answers \
          this itself when struct_size does not cover a call */

typedef struct weft_host_api {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;

  /* Logging, from any thread. */
  void (*log)(weft_log_level level, weft_str message);

  /* Metrics, defined in config_new and updated by id from any thread. The name is a dotted stat
   * name; the host adds the tag filter=<filter name>. Returns an id >= 0, or a WEFT_ERR_*. */
  int64_t (*define_counter)(weft_config_host* config, weft_str name);
  int64_t (*define_gauge)(weft_config_host* config, weft_str name);
  int64_t (*define_histogram)(weft_config_host* config, weft_str name);
  void (*counter_add)(int64_t id, uint64_t delta);
  void (*gauge_set)(int64_t id, int64_t value);
  void (*gauge_add)(int64_t id, int64_t delta);
  void (*histogram_record)(int64_t id, double value);

  /* Headers. Names are matched case-insensitively; pseudo-headers (":method", ":path",
   * ":authority", ":scheme", ":status") are ordinary entries. */
  size_t (*header_size)(weft_stream_host* stream, weft_map map);
  bool (*header_at)(weft_stream_host* stream, weft_map map, size_t index, weft_str* name,
                    weft_str* value);
  size_t (*header_count)(weft_stream_host* stream, weft_map map, weft_str name);
  bool (*header_get)(weft_stream_host* stream, weft_map map, weft_str name, size_t index,
                     weft_str* value);
  int (*header_add)(weft_stream_host* stream, weft_map map, weft_str name, weft_str value);
  int (*header_set)(weft_stream_host* stream, weft_map map, weft_str name, weft_str value);
  int (*header_remove)(weft_stream_host* stream, weft_map map, weft_str name);

  /* Body of the current body hook (or the whole buffered body after WEFT_STOP_AND_BUFFER).
   * body_slice returns the index-th contiguous piece; together the pieces are the body. */
  size_t (*body_length)(weft_stream_host* stream, weft_body which);
  size_t (*body_slice_count)(weft_stream_host* stream, weft_body which);
  bool (*body_slice)(weft_stream_host* stream, weft_body which, size_t index, weft_str* out);
  int (*body_append)(weft_stream_host* stream, weft_body which, weft_str data);
  int (*body_drain)(weft_stream_host* stream, weft_body which, size_t length);

  /* Answer the request from the proxy. After this call the hook should return
   * WEFT_STOP_ITERATION; later filters and the upstream never see the request. Headers are
   * copied; "content-length" is set by the host. details names the reason in the access log. */
  int (*send_local_reply)(weft_stream_host* stream, uint32_t status, weft_str body,
                          const weft_header* headers, size_t header_count, weft_str details);

  /* Resume a direction held by WEFT_STOP_ITERATION / WEFT_STOP_AND_BUFFER, from a later hook or
   * callback (e.g. on_timer). Iteration restarts at the next filter. */
  int (*continue_request)(weft_stream_host* stream);
  int (*continue_response)(weft_stream_host* stream);

  /* Timers on the stream's worker. Returns a token > 0 or a WEFT_ERR_*. The module's on_timer
   * hook receives the token. Tokens still pending when the stream ends are cancelled. */
  int64_t (*timer_start)(weft_stream_host* stream, uint64_t delay_ms);
  int (*timer_cancel)(weft_stream_host* stream, int64_t token);

  /* Routing: which cluster the upstream stage forwards to, and the route name for logs. */
  int (*set_upstream_cluster)(weft_stream_host* stream, weft_str cluster);
  int (*set_route_name)(weft_stream_host* stream, weft_str route);
  bool (*cluster_exists)(weft_stream_host* stream, weft_str cluster);

  /* Stream facts. stream_info_str returns false when the fact is not (yet) known. */
  bool (*stream_info_str)(weft_stream_host* stream, weft_info_str key, weft_str* out);
  bool (*stream_info_u64)(weft_stream_host* stream, weft_info_u64 key, uint64_t* out);

  /* Dynamic metadata: string key/values a filter leaves for later filters and the access log
   * (%DYNAMIC_METADATA(key)%). */
  int (*metadata_set)(weft_stream_host* stream, weft_str key, weft_str value);
  bool (*metadata_get)(weft_stream_host* stream, weft_str key, weft_str* value);

  /* The worker a stream runs on, and that worker's index (0..workers-1). */
  weft_worker_host* (*stream_worker)(weft_stream_host* stream);
  uint32_t (*worker_index)(weft_worker_host* worker);

  /* ---- added in 1.1 ---- */

  /* Abandon the stream: no more hooks run for it (except on_stream_complete), the upstream
   * exchange is dropped and the downstream connection is closed once the hook returns — the only
   * honest signal left once part of a response has been sent. */
  int (*stream_reset)(weft_stream_host* stream);

  /* ---- added in 1.2 ---- */

  /* Records an Envoy-style response flag ("FI", "DI", "UAEX", ...: 1 to 8 upper-case letters)
   * for the access log's %RESPONSE_FLAGS% and stream_info_str(WEFT_INFO_RESPONSE_FLAGS). */
  int (*stream_add_response_flag)(weft_stream_host* stream, weft_str flag);

  /* How many workers the proxy runs; every worker_index is below it. */
  uint32_t (*worker_count)(weft_worker_host* worker);

  /* An HTTP request from the filter to a cluster, made on the stream's worker without blocking
   * it. Returns a token > 0 (or a WEFT_ERR_*); the module's on_http_call_done then runs with that
   * token exactly once — on success, failure or timeout alike — unless the call is cancelled
   * first (http_call_cancel, or the stream ends). `headers` must hold ":method" and ":path";
   * ":authority" defaults to the cluster's name, ":scheme" to "http"; the host sets
   * "content-length". The response body is kept whole up to max_response_bytes (0: 1 MiB);
   * beyond that the call fails with "too_large". timeout_ms 0 means no timeout. Any number of
   * calls may be in flight on one stream; the stream keeps flowing meanwhile unless the filter
   * returned WEFT_STOP_ITERATION. */
  int64_t (*http_call)(weft_stream_host* stream, weft_str cluster, const weft_header* headers,
                       size_t header_count, weft_str body, uint64_t timeout_ms,
                       uint64_t max_response_bytes);
  int (*http_call_cancel)(weft_stream_host* stream, int64_t token);

  /* The route's upstream timeout for this stream: from the request going upstream until the
   * response headers arrive; past it the client gets 504 (flag UT). 0 removes it. Call it before
   * the request goes upstream (the router does, from the route's `timeout`). */
  int (*set_upstream_timeout)(weft_stream_host* stream, uint64_t timeout_ms);

  /* A timer on a worker, not tied to any stream (periodic work, Lua's proxy.timer.at): after
   * delay_ms the module's on_worker_timer runs on that worker with this config's worker state.
   * Call it on `worker`'s thread, from worker_start or any hook running there. Returns a token
   * > 0 or a WEFT_ERR_*. Timers still pending when the worker state stops (worker_stop) are
   * cancelled first. */
  int64_t (*worker_timer_start)(weft_config_host* config, weft_worker_host* worker,
                                uint64_t delay_ms);
  int (*worker_timer_cancel)(weft_config_host* config, weft_worker_host* worker, int64_t token);

  /* ---- added in 1.3 ---- */

  /* Retries for this stream's upstream request (the router calls it from the route's
   * retry_policy). The host copies the policy (codes included); a later call replaces it. When an
   * attempt fails or answers with a status that retry_on names, the host waits the back-off and
   * sends the request again, to a host the load balancer picks anew, up to num_retries times — as
   * long as none of the response has gone downstream and the route's upstream timeout
   * (set_upstream_timeout, which spans every attempt and back-off) has not passed. The client sees
   * the last attempt's response. A request whose body outgrew what the host keeps for re-sending
   * is not retried. WEFT_ERR_INVALID_ARGUMENT for a struct_size below the first three fields,
   * unknown retry_on bits, NULL codes with a non-zero count, a status code outside 100..599 or
   * max_interval_ms below base_interval_ms; WEFT_ERR_WRONG_PHASE once the request went upstream. */
  int (*set_retry_policy)(weft_stream_host* stream, const weft_retry_policy* policy);

  /* Also send this stream's request to `cluster`, fire-and-forget (Envoy's request mirroring):
   * the copy leaves with the request's headers as they go upstream — :authority gets the suffix
   * "-shadow" — and its body; its response is discarded and its failure never touches the stream.
   * Each call adds one copy; the filter decides how often (the router rolls the route's
   * runtime_fraction). WEFT_ERR_NOT_FOUND for an unknown cluster; WEFT_ERR_WRONG_PHASE once the
   * request went upstream. */
  int (*add_request_mirror)(weft_stream_host* stream, weft_str cluster);

  /* ---- added in 1.4 ---- */

  /* Route metadata (Envoy's route `metadata.filter_metadata`): the value of `key` in the block
   * named `filter` of the route this stream's request matches, as text (numbers and booleans as
   * written; since 1.5 a map or list as its JSON text). False when no route matches, or the
   * route has no such block or key, or the value is null. The route is
   * looked up the first time a stream asks, on the request headers as they are then, and kept
   * for the stream: later header changes do not move it (as Envoy caches a stream's route). The
   * view stays valid for the stream's life. */
  bool (*route_metadata_get)(weft_stream_host* stream, weft_str filter, weft_str key,
                             weft_str* value);

  /* ---- added in 1.5: work a filter finishes in a callback (on_timer, on_http_call_done) ---- */

  /* The filter holds `which` direction at its headers (its headers hook returned
   * WEFT_STOP_ITERATION) and now wants that direction's whole body: the hold becomes a
   * WEFT_STOP_AND_BUFFER, as if the headers hook had returned it. The filter's body hook runs once
   * with the whole body and end_stream — after the calling callback returns, never inside it —
   * and the direction then goes on as that hook says. Past the listener's max_buffered_body_bytes
   * the stream is answered 413 (request) or 500 (response). WEFT_ERR_WRONG_PHASE outside
   * on_timer / on_http_call_done, when this filter does not hold those headers, or when the
   * headers ended the direction (there is no body). */
  int (*stream_buffer_body)(weft_stream_host* stream, weft_body which);

  /* The filter failed in on_timer or on_http_call_done, where there is no status to return: the
   * host does what it does when a hook fails. If the filter's entry is fail_open, every direction
   * this filter holds continues; otherwise the stream is answered 500 (reset once its response has
   * begun). `reason` goes to the log. WEFT_ERR_WRONG_PHASE outside those callbacks (a hook fails
   * by returning a status outside weft_status). */
  int (*stream_fail)(weft_stream_host* stream, weft_str reason);

  /* ---- also 1.5: names and whole blocks ---- */

  /* The name of the filter entry `config` belongs to (the bootstrap's `name:`), e.g. to read the
   * route metadata Envoy files under a filter's name. Valid as long as the config. */
  weft_str (*config_filter_name)(weft_config_host* config);

  /* The whole block named `filter` in the matched route's metadata.filter_metadata, as the text
   * of a JSON object (nested maps, lists, numbers, booleans and nulls as configured). False when
   * no route matches or the route has no such block. The route is the one route_metadata_get
   * uses; the view stays valid for the stream's life. */
  bool (*route_metadata_json)(weft_stream_host* stream, weft_str filter, weft_str* json);
} weft_host_api;

/* ---------------------------------------------------------------------------------------------
 * The module's hooks. Every hook may be NULL.
 */
typedef struct weft_filter_module {
  uint32_t struct_size; /* sizeof(weft_filter_module) as the module was compiled */
  uint16_t abi_major;   /* WEFT_ABI_MAJOR as the module was compiled */
  uint16_t abi_minor;
  const char* name;    /* e.g. "add-header"; static storage */
  const char* version; /* the module's own version, e.g. "1.2.0"; static storage */

  /* Parse one config block (JSON text). On success store the module's config in *config_out and
   * return 0. On failure write a message (NUL-terminated, at most error_cap bytes) into error and
   * return non-zero: the whole proxy config is then rejected with that message. */
  int (*config_new)(weft_config_host* host_config, weft_str json, void** config_out, char* error,
                    size_t error_cap);
  void (*config_destroy)(void* config);

  /* Per worker state for one config (may stay NULL). */
  void* (*worker_start)(void* config, weft_worker_host* worker);
  void (*worker_stop)(void* config, void* worker_state);

  /* Per stream state. Returning NULL is allowed (a stateless filter). */
  void* (*stream_new)(void* config, void* worker_state, weft_stream_host* stream);
  void (*stream_destroy)(void* stream_ctx);

  weft_status (*on_request_headers)(void* stream_ctx, weft_stream_host* stream, bool end_stream);
  weft_status (*on_request_body)(void* stream_ctx, weft_stream_host* stream, bool end_stream);
  weft_status (*on_request_trailers)(void* stream_ctx, weft_stream_host* stream);
  weft_status (*on_response_headers)(void* stream_ctx, weft_stream_host* stream, bool end_stream);
  weft_status (*on_response_body)(void* stream_ctx, weft_stream_host* stream, bool end_stream);
  weft_status (*on_response_trailers)(void* stream_ctx, weft_stream_host* stream);
  /* After the last byte of the response was handed to the downstream connection, or the stream
   * was reset. Stream info is final here. */
  void (*on_stream_complete)(void* stream_ctx, weft_stream_host* stream);

  /* A timer started with timer_start fired. */
  void (*on_timer)(void* stream_ctx, weft_stream_host* stream, int64_t token);

  /* ---- added in 1.2 ---- */

  /* An http_call this filter made on this stream finished (see http_call). */
  void (*on_http_call_done)(void* stream_ctx, weft_stream_host* stream, int64_t token,
                            const weft_http_call_result* result);
  /* A timer started with worker_timer_start fired (on that worker). */
  void (*on_worker_timer)(void* config, void* worker_state, int64_t token);
} weft_filter_module;

/* The one symbol a filter exports. `host` stays valid for the life of the process; the returned
 * table must too (static storage). Return NULL to refuse to load (log why through host->log). */
#define WEFT_FILTER_ENTRY "weft_filter_module_init"
typedef const weft_filter_module* (*weft_filter_module_init_fn)(const weft_host_api* host);

#if defined(__GNUC__)
#define WEFT_EXPORT __attribute__((visibility("default")))
#else
#define WEFT_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif /* WEFT_FILTER_ABI_H */
