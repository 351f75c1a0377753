// TlsStats: see tls_stats.h.
#include "core/tls/tls_stats.h"

namespace weft::tls {

TlsStats::TlsStats(stats::Store& store, const stats::Tags& tags)
    : handshake(store.counter("ssl.handshake", tags)),
      session_reused(store.counter("ssl.session_reused", tags)),
      no_certificate(store.counter("ssl.no_certificate", tags)),
      connection_error(store.counter("ssl.connection_error", tags)),
      no_common_alpn(store.counter("ssl.no_common_alpn", tags)),
      fail_verify_error(store.counter("ssl.fail_verify_error", tags)),
      fail_verify_san(store.counter("ssl.fail_verify_san", tags)),
      fail_verify_no_cert(store.counter("ssl.fail_verify_no_cert", tags)) {}

}  // namespace weft::tls
