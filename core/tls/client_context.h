// ClientContext: the TLS settings of one upstream cluster (tls_options.h: ClientOptions) turned
// into an OpenSSL context, and the sessions made from it for connections to its endpoints:
// verification against the cluster's CA (or, without one, none at all), SNI, ALPN, a client
// certificate for mutual TLS, and an accepted list of peer SANs (SPIFFE ids).
//
// Resumption: the context remembers the last session each endpoint gave (the key is the
// caller's, e.g. "10.0.0.7:443") and offers it on the next connection to that endpoint, so
// later handshakes skip the certificate exchange. TLS 1.3 tickets arrive after the handshake,
// with the first bytes read.
//
// Threads: create() at config time; newSession() from any worker. The resumption cache takes a
// mutex for a map lookup or insert, once per new upstream connection (never per request).
// Shared ownership: every session keeps its context alive.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "core/stats/stats.h"
#include "core/tls/tls_options.h"
#include "core/tls/tls_session.h"

namespace weft::tls {

class ClientContext : public std::enable_shared_from_this<ClientContext> {
 public:
  // Loads the CA and client certificate; an error names the file and the reason. Counters go to
  // `store` under `tags` (e.g. {{"cluster", "reviews"}}); the store outlives the context.
  static Result<std::shared_ptr<ClientContext>> create(ClientOptions options, stats::Store& store,
                                                       const stats::Tags& tags);
  ~ClientContext();

  // A session for a new connection to an endpoint: `host` is sent as SNI unless options.sni is
  // set or `host` is an IP literal; `endpoint_key` names the endpoint for resumption (empty:
  // never resume). Null only when OpenSSL cannot allocate.
  SessionPtr newSession(std::string_view host, std::string_view endpoint_key);

  const ClientOptions& options() const { return options_; }

 private:
  ClientContext(ClientOptions options, stats::Store& store, const stats::Tags& tags);
  // OpenSSL callbacks.
  static int onNewSession(SSL* ssl, SSL_SESSION* session);
  static int verifySubjectAltNames(int preverified, X509_STORE_CTX* store);
  bool acceptsPeer(const X509* cert) const;

  ClientOptions options_;
  TlsStats stats_;
  SslCtxPtr ctx_;
  std::mutex cache_mutex_;  // guards cache_
  std::map<std::string, SslSessionPtr, std::less<>> cache_;
};

using ClientContextPtr = std::shared_ptr<ClientContext>;

}  // namespace weft::tls
