// Http2Stats: the counters of one listener's (or cluster's) HTTP/2 connections, named as Envoy
// names them under "http2." so existing dashboards find them. Every defence has its own counter.
#pragma once

#include <string>

#include "core/stats/stats.h"

namespace weft::http {

struct Http2Stats {
  // `tags` identify the owner, e.g. {listener="ingress"} or {cluster="backend"}.
  Http2Stats(stats::Store& store, const stats::Tags& tags);

  stats::Counter& rx_reset;            // RST_STREAM received
  stats::Counter& tx_reset;            // RST_STREAM sent
  stats::Counter& goaway_sent;         // GOAWAY sent (drain, reload or error)
  stats::Counter& header_overflow;     // a header block over the size/count limits (HPACK bomb)
  stats::Counter& premature_reset;     // streams reset by the peer before their response ended
  stats::Counter& rapid_reset_close;   // connections closed for too many premature resets
  stats::Counter& continuation_flood;  // connections closed for too many CONTINUATION frames
  stats::Counter& streams_refused;     // streams over max_concurrent_streams (REFUSED_STREAM)
  stats::Counter& flood;               // connections closed for a control-frame flood
  stats::Counter& protocol_error;      // connections closed for another protocol error
  stats::Counter& keepalive_timeout;   // PING not answered in time
};

}  // namespace weft::http
