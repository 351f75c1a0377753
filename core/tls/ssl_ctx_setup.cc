// SSL_CTX building blocks: see ssl_ctx_setup.h.
#include "core/tls/ssl_ctx_setup.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace weft::tls {
namespace {

constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kGroups[] = "X25519:P-256:P-384";

int protocolVersion(TlsVersion version) {
  return version == TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

// Keys must not be encrypted: a proxy has nobody to type a passphrase.
int refusePassphrase(char*, int, int, void*) { return 0; }

// OK when `path` can be opened for reading; else "<path>: <strerror>".
Status checkReadable(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(path + ": " + std::strerror(errno));
  ::close(fd);
  return Status::ok();
}

}  // namespace

Result<SslCtxPtr> newSslCtx(const SSL_METHOD* method, TlsVersion min, TlsVersion max) {
  if (min > max) return Status::error("min_version is above max_version");
  SslCtxPtr ctx(SSL_CTX_new(method));
  if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), protocolVersion(min)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), protocolVersion(max)) != 1 ||
      SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(ctx.get(), kGroups) != 1) {
    return Status::error("cannot set up TLS: " + takeOpenSslError());
  }
  SSL_CTX_set_options(
      ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_default_passwd_cb(ctx.get(), refusePassphrase);
  return ctx;
}

Status useCertificate(SSL_CTX* ctx, const std::string& chain_path, const std::string& key_path) {
  for (const std::string* path : {&chain_path, &key_path}) {
    if (Status readable = checkReadable(*path); !readable) return readable;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, chain_path.c_str()) != 1) {
    return Status::error(chain_path + ": cannot load the certificate chain: " + takeOpenSslError());
  }
  // OpenSSL also checks here that the key belongs to the certificate loaded above.
  if (SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_error()) == X509_R_KEY_VALUES_MISMATCH) {
      takeOpenSslError();
      return Status::error(key_path + ": the private key does not match the certificate in " +
                           chain_path);
    }
    return Status::error(key_path + ": cannot load the private key: " + takeOpenSslError());
  }
  return Status::ok();
}

Status trustCa(SSL_CTX* ctx, const std::string& path) {
  if (Status readable = checkReadable(path); !readable) return readable;
  if (SSL_CTX_load_verify_file(ctx, path.c_str()) != 1) {
    return Status::error(path + ": cannot load the CA certificates: " + takeOpenSslError());
  }
  return Status::ok();
}

Result<std::string> alpnWire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& protocol : protocols) {
    if (protocol.empty() || protocol.size() > 255) {
      return Status::error("an ALPN protocol name must be 1..255 bytes, got \"" + protocol + "\"");
    }
    wire.push_back(static_cast<char>(protocol.size()));
    wire += protocol;
  }
  return wire;
}

}  // namespace weft::tls
