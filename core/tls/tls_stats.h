// TlsStats: the counters of one TLS context (a listener's or a cluster's), with Envoy's names
// under the context's tags, e.g. name "ssl.handshake" with {listener="ingress"} reads
// "ssl.listener.ingress.handshake" in /stats and weft_ssl_handshake{listener="ingress"} in
// Prometheus. Created once per context at config time; sessions count through it from any
// worker (each update is one relaxed atomic add). The Store must outlive it.
#pragma once

#include "core/stats/stats.h"

namespace weft::tls {

struct TlsStats {
  TlsStats(stats::Store& store, const stats::Tags& tags);

  stats::Counter& handshake;       // ssl.handshake: handshakes completed
  stats::Counter& session_reused;  // ssl.session_reused: ... of which resumed an earlier session
  stats::Counter& no_certificate;  // ssl.no_certificate: server side: completed, no client cert
  // ssl.connection_error: handshakes or records that failed for any reason except the peer's
  // certificate (garbage, wrong version, no common ALPN, an alert from the peer, the peer
  // closing mid-handshake, ...).
  stats::Counter& connection_error;
  // ssl.no_common_alpn: server side: the client offered ALPN protocols, none of them ours (the
  // handshake was refused with no_application_protocol; also counted in connection_error).
  stats::Counter& no_common_alpn;
  // ssl.fail_verify_error: the peer's certificate did not verify against the CA.
  stats::Counter& fail_verify_error;
  // ssl.fail_verify_san: it verified, but carried none of the accepted subject alt names.
  stats::Counter& fail_verify_san;
  // ssl.fail_verify_no_cert: server side: a required client certificate was not sent.
  stats::Counter& fail_verify_no_cert;
};

}  // namespace weft::tls
