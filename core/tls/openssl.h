// The OpenSSL handles Weft keeps, each wrapped once here in a std::unique_ptr, and the text of
// OpenSSL's per-thread error queue for messages. Everything else in core/tls uses these aliases
// and never calls an OpenSSL *_free function itself.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace weft::tls {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* handle) const {
    Free(handle);
  }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL_free>>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, OpenSslDeleter<SSL_SESSION_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;

// The oldest error in this thread's OpenSSL error queue as text ("no start line"), or
// `fallback` when the queue is empty. Clears the queue, so the next call on this thread starts
// clean.
std::string takeOpenSslError(std::string_view fallback = "unknown error");

}  // namespace weft::tls
