// ClientContext: see client_context.h.
#include "core/tls/client_context.h"

#include <arpa/inet.h>

#include <algorithm>

#include "core/tls/peer_identity.h"
#include "core/tls/ssl_ctx_setup.h"

namespace weft::tls {
namespace {

bool isIpLiteral(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

ClientContext* contextOf(const SSL* ssl) {
  return static_cast<ClientContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

}  // namespace

Result<std::shared_ptr<ClientContext>> ClientContext::create(ClientOptions options,
                                                             stats::Store& store,
                                                             const stats::Tags& tags) {
  if (options.certificate_chain.empty() != options.private_key.empty()) {
    return Status::error("certificate_chain and private_key go together");
  }
  if (!options.verify_subject_alt_names.empty() && options.ca.empty()) {
    return Status::error("verify_subject_alt_names needs a ca to verify the certificate with");
  }
  Result<std::string> alpn = alpnWire(options.alpn);
  if (!alpn) return alpn.status();
  Result<SslCtxPtr> ctx = newSslCtx(TLS_client_method(), options.min_version, options.max_version);
  if (!ctx) return ctx.status();
  SSL_CTX* raw = ctx->get();
  if (!options.ca.empty()) {
    if (Status trusted = trustCa(raw, options.ca); !trusted) return trusted;
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER,
                       options.verify_subject_alt_names.empty() ? nullptr : verifySubjectAltNames);
  }
  if (!options.certificate_chain.empty()) {
    if (Status loaded = useCertificate(raw, options.certificate_chain, options.private_key);
        !loaded) {
      return loaded;
    }
  }
  // SSL_CTX_set_alpn_protos returns 0 on success.
  if (!alpn->empty() &&
      SSL_CTX_set_alpn_protos(raw, reinterpret_cast<const unsigned char*>(alpn->data()),
                              static_cast<unsigned int>(alpn->size())) != 0) {
    return Status::error("cannot set ALPN: " + takeOpenSslError());
  }
  // Sessions are kept by the context (per endpoint), not in OpenSSL's internal cache.
  SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(raw, onNewSession);

  std::shared_ptr<ClientContext> context(new ClientContext(std::move(options), store, tags));
  context->ctx_ = std::move(*ctx);
  SSL_CTX_set_app_data(context->ctx_.get(), context.get());
  return context;
}

ClientContext::ClientContext(ClientOptions options, stats::Store& store, const stats::Tags& tags)
    : options_(std::move(options)), stats_(store, tags) {}

ClientContext::~ClientContext() = default;

SessionPtr ClientContext::newSession(std::string_view host, std::string_view endpoint_key) {
  SslPtr ssl(SSL_new(ctx_.get()));
  if (!ssl) return nullptr;
  const std::string server_name = options_.sni.empty() ? std::string(host) : options_.sni;
  if (!server_name.empty() && !isIpLiteral(server_name) &&
      SSL_set_tlsext_host_name(ssl.get(), server_name.c_str()) != 1) {
    takeOpenSslError();
    return nullptr;
  }
  if (!endpoint_key.empty()) {
    std::lock_guard lock(cache_mutex_);
    if (auto cached = cache_.find(endpoint_key); cached != cache_.end()) {
      if (SSL_SESSION_is_resumable(cached->second.get()) == 1) {
        SSL_set_session(ssl.get(), cached->second.get());  // takes its own reference
      } else {
        cache_.erase(cached);
      }
    }
  }
  // The session keeps this context alive: its SSL's callbacks use it.
  std::shared_ptr<const TlsStats> stats(shared_from_this(), &stats_);
  auto session =
      std::make_unique<Session>(std::move(ssl), Session::Role::kClient, std::move(stats));
  session->setResumptionKey(std::string(endpoint_key));
  return session;
}

int ClientContext::onNewSession(SSL* ssl, SSL_SESSION* session) {
  const Session* owner = Session::of(ssl);
  ClientContext* context = contextOf(ssl);
  if (owner == nullptr || context == nullptr || owner->resumptionKey().empty()) return 0;
  std::lock_guard lock(context->cache_mutex_);
  context->cache_[owner->resumptionKey()] = SslSessionPtr(session);
  return 1;  // the cache owns the reference OpenSSL handed over
}

int ClientContext::verifySubjectAltNames(int preverified, X509_STORE_CTX* store) {
  // Only the leaf carries the identity; the chain itself is OpenSSL's verdict.
  if (preverified != 1 || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
  const auto* ssl = static_cast<const SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const ClientContext* context = ssl != nullptr ? contextOf(ssl) : nullptr;
  if (context != nullptr && context->acceptsPeer(X509_STORE_CTX_get_current_cert(store))) {
    return 1;
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

bool ClientContext::acceptsPeer(const X509* cert) const {
  const std::vector<std::string>& accepted = options_.verify_subject_alt_names;
  for (int kind : {GEN_URI, GEN_DNS}) {
    for (const std::string& name : subjectAltNames(cert, kind)) {
      if (std::find(accepted.begin(), accepted.end(), name) != accepted.end()) return true;
    }
  }
  return false;
}

}  // namespace weft::tls
