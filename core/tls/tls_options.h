// The settings TLS contexts are built from: plain values with safe defaults. The server fills
// them from the bootstrap's `tls` blocks (config::ServerTls on a listener, config::ClientTls on a
// cluster; same field names); tests fill them directly.
#pragma once

#include <string>
#include <vector>

namespace weft::tls {

enum class TlsVersion { kTls12, kTls13 };

// One certificate a server can present: PEM files, the chain with the leaf first.
struct CertificateFiles {
  std::string certificate_chain;
  std::string private_key;
};

// Every field of the two option structs has an initializer, so designated initializers may name
// any subset of them.
struct ServerOptions {
  // At least one. SNI picks the first whose DNS SANs match the name the client asks for (exact
  // names before "*." wildcards); a client that asks for nothing, or for an unknown name, gets
  // the first.
  std::vector<CertificateFiles> certificates{};
  // Offered in this order of preference. A client that offers ALPN with nothing in common is
  // refused (no_application_protocol alert); one that offers no ALPN proceeds (HTTP/1.1).
  // Empty: no ALPN at all.
  std::vector<std::string> alpn = {"h2", "http/1.1"};
  std::string client_ca{};  // non-empty: ask for client certificates and verify them against it
  bool require_client_certificate = false;  // needs client_ca; refuse clients that send none
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
};

struct ClientOptions {
  // The CA bundle the upstream's certificate must verify against. Empty: the upstream is NOT
  // verified (any certificate is accepted; the connection is encrypted but not authenticated).
  std::string ca{};
  // The server name sent (SNI). Empty: the endpoint's host given to newSession(), when it is a
  // DNS name (IP literals are never sent).
  std::string sni{};
  std::vector<std::string> alpn{};  // offered in this order; empty: no ALPN
  std::string certificate_chain{};  // both or neither: the client certificate for mutual TLS
  std::string private_key{};
  // Non-empty: the upstream's certificate must carry one of these as a URI SAN (a SPIFFE id) or
  // a DNS SAN, compared exactly. Needs `ca`. There is no other name check: without this list,
  // any certificate the CA issued is accepted.
  std::vector<std::string> verify_subject_alt_names{};
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
};

}  // namespace weft::tls
