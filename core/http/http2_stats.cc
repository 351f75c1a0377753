// Http2Stats: see http2_stats.h.
#include "core/http/http2_stats.h"

namespace weft::http {

Http2Stats::Http2Stats(stats::Store& store, const stats::Tags& tags)
    : rx_reset(store.counter("http2.rx_reset", tags)),
      tx_reset(store.counter("http2.tx_reset", tags)),
      goaway_sent(store.counter("http2.goaway_sent", tags)),
      header_overflow(store.counter("http2.header_overflow", tags)),
      premature_reset(store.counter("http2.premature_reset", tags)),
      rapid_reset_close(store.counter("http2.rapid_reset_close", tags)),
      continuation_flood(store.counter("http2.continuation_flood", tags)),
      streams_refused(store.counter("http2.streams_refused", tags)),
      flood(store.counter("http2.flood", tags)),
      protocol_error(store.counter("http2.protocol_error", tags)),
      keepalive_timeout(store.counter("http2.keepalive_timeout", tags)) {}

}  // namespace weft::http
