// Building blocks shared by ServerContext and ClientContext: an SSL_CTX with Weft's protocol
// settings, and certificates, keys and CA bundles loaded with errors that name the file
// ("/etc/weft/key.pem: cannot load the private key: bad decrypt"). Config time only.
#pragma once

#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/tls/openssl.h"
#include "core/tls/tls_options.h"

namespace weft::tls {

// A new SSL_CTX: TLS `min`..`max`; for TLS 1.2 only ECDHE key exchange with AEAD ciphers;
// X25519, P-256 and P-384; no renegotiation, no compression; buffers released while a
// connection is idle; encrypted private keys refused (never a passphrase prompt).
Result<SslCtxPtr> newSslCtx(const SSL_METHOD* method, TlsVersion min, TlsVersion max);

// Loads a PEM chain (leaf first) and its private key into `ctx`, checking that they match.
Status useCertificate(SSL_CTX* ctx, const std::string& chain_path, const std::string& key_path);

// Makes the CA bundle at `path` the trust store peers are verified against.
Status trustCa(SSL_CTX* ctx, const std::string& path);

// ALPN protocols in wire form (each prefixed by its length); an error names a bad entry.
Result<std::string> alpnWire(const std::vector<std::string>& protocols);

}  // namespace weft::tls
