// Http2Options: the HTTP/2 settings of one listener or cluster (bootstrap `http2:` block), with
// Envoy's defaults where Envoy has one. The header limits come from the listener's limits.
#pragma once

#include <cstdint>

namespace weft::http {

struct Http2Options {
  uint32_t max_concurrent_streams = 100;              // SETTINGS_MAX_CONCURRENT_STREAMS
  uint32_t initial_stream_window_size = 1 << 20;      // per stream, 65535 .. 2^31-1
  uint32_t initial_connection_window_size = 1 << 24;  // whole connection
  uint32_t max_header_list_bytes = 60 * 1024;         // decoded names + values per block
  uint32_t max_headers = 100;                         // fields per block
  // Rapid reset (CVE-2023-44487): the connection is closed with GOAWAY(ENHANCE_YOUR_CALM) once the
  // peer reset this many streams before their response ended, and those are at least half of the
  // streams it opened.
  uint32_t max_premature_resets = 100;
  uint32_t keepalive_interval_ms = 0;     // PING after this long without a frame; 0: off
  uint32_t keepalive_timeout_ms = 20000;  // close when the PING is not answered in time
};

}  // namespace weft::http
