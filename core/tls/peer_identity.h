// What a TLS connection knows about its peer and itself once the handshake is done: the peer's
// identity read from its certificate (SPIFFE id, subject, SANs) and the negotiated parameters.
// Plain values, copied out of OpenSSL once per connection, so filters (authz, telemetry, the
// access log) can read them without touching OpenSSL.
#pragma once

#include <openssl/types.h>

#include <string>
#include <vector>

namespace weft::tls {

struct PeerIdentity {
  bool presented = false;  // the peer sent a certificate
  std::string spiffe_id;   // the first URI SAN that starts with "spiffe://"; else empty
  std::string subject;     // RFC 2253: "CN=reviews,O=weft"
  std::vector<std::string> dns_sans;
  std::vector<std::string> uri_sans;
};

struct TlsInfo {
  std::string version;  // "TLSv1.3", "TLSv1.2"
  std::string cipher;   // OpenSSL's name: "TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"
  std::string alpn;     // the protocol agreed on; empty when none was (HTTP/1.1 by convention)
  std::string sni;      // server side: the name the client asked for; client side: the name sent
  bool session_reused = false;  // an earlier session was resumed (no full handshake)
  PeerIdentity peer;
};

// The identity in `cert`; `presented` is false (and the rest empty) when `cert` is null.
PeerIdentity peerIdentity(const X509* cert);

// The subject alt names of one kind (GEN_DNS, GEN_URI) in `cert`, in certificate order. Names
// with an embedded NUL are skipped: they cannot be matched honestly.
std::vector<std::string> subjectAltNames(const X509* cert, int kind);

}  // namespace weft::tls
