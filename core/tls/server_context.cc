// ServerContext: see server_context.h.
#include "core/tls/server_context.h"

#include <openssl/rand.h>
#include <strings.h>

#include <string_view>

#include "core/tls/peer_identity.h"
#include "core/tls/ssl_ctx_setup.h"

namespace weft::tls {
namespace {

constexpr unsigned char kSessionIdContext[] = "weft";

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// "*.example.com" matches "a.example.com", not "example.com" nor "a.b.example.com".
bool wildcardMatches(std::string_view pattern, std::string_view name) {
  if (!pattern.starts_with("*.")) return false;
  const size_t dot = name.find('.');
  return dot != std::string_view::npos && dot > 0 && sameName(pattern.substr(1), name.substr(dot));
}

}  // namespace

// One load of the files: an SSL_CTX per certificate, identical but for the certificate. Every
// session starts on the first; the SNI callback moves it to the one whose names match.
struct ServerContext::Generation {
  struct Certificate {
    SslCtxPtr ctx;
    std::vector<std::string> dns_names;
  };
  std::vector<Certificate> certificates;
  std::vector<std::string> alpn;  // in order of preference
  std::shared_ptr<const TlsStats> stats;

  // Exact names first, then wildcards, else the first certificate.
  const Certificate& select(std::string_view server_name) const {
    if (const Certificate* exact =
            find([&](const std::string& name) { return sameName(name, server_name); })) {
      return *exact;
    }
    if (const Certificate* wildcard =
            find([&](const std::string& name) { return wildcardMatches(name, server_name); })) {
      return *wildcard;
    }
    return certificates.front();
  }

  // The first certificate with a DNS name that `matches`.
  template <typename Match>
  const Certificate* find(Match matches) const {
    for (const Certificate& certificate : certificates) {
      for (const std::string& name : certificate.dns_names) {
        if (matches(name)) return &certificate;
      }
    }
    return nullptr;
  }

  // OpenSSL callbacks; `arg` is the Generation.
  static int onServerName(SSL* ssl, int*, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == nullptr) return SSL_TLSEXT_ERR_OK;
    SSL_CTX* chosen = static_cast<const Generation*>(arg)->select(name).ctx.get();
    if (chosen != SSL_get_SSL_CTX(ssl)) SSL_set_SSL_CTX(ssl, chosen);
    return SSL_TLSEXT_ERR_OK;
  }

  // Only called when the client offers ALPN: the first of ours that it offers, else refusal.
  static int onAlpn(SSL* ssl, const unsigned char** out, unsigned char* out_length,
                    const unsigned char* offered, unsigned int offered_length, void* arg) {
    for (const std::string& ours : static_cast<const Generation*>(arg)->alpn) {
      for (unsigned int i = 0; i < offered_length;) {
        const unsigned int length = offered[i];
        if (i + 1 + length > offered_length) break;  // malformed: OpenSSL checks this too
        if (length == ours.size() &&
            ours.compare(0, length, reinterpret_cast<const char*>(offered + i + 1), length) == 0) {
          *out = offered + i + 1;
          *out_length = static_cast<unsigned char>(length);
          return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + length;
      }
    }
    if (Session* session = Session::of(ssl)) session->markNoCommonAlpn();
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
};

Result<std::unique_ptr<ServerContext>> ServerContext::create(ServerOptions options,
                                                             stats::Store& store,
                                                             const stats::Tags& tags) {
  if (options.certificates.empty()) return Status::error("needs at least one certificate");
  if (options.require_client_certificate && options.client_ca.empty()) {
    return Status::error("require_client_certificate needs client_ca to verify them with");
  }
  if (Result<std::string> wire = alpnWire(options.alpn); !wire) return wire.status();
  std::unique_ptr<ServerContext> context(
      new ServerContext(std::move(options), std::make_shared<const TlsStats>(store, tags)));
  if (RAND_bytes(context->ticket_keys_.data(), static_cast<int>(context->ticket_keys_.size())) !=
      1) {
    return Status::error("cannot make session ticket keys: " + takeOpenSslError());
  }
  Result<std::shared_ptr<const Generation>> first = context->load(context->seen_);
  if (!first) return first.status();
  context->current_.store(std::move(*first));
  return context;
}

ServerContext::ServerContext(ServerOptions options, std::shared_ptr<const TlsStats> stats)
    : options_(std::move(options)), stats_(std::move(stats)) {}

ServerContext::~ServerContext() = default;

SessionPtr ServerContext::newSession() const {
  std::shared_ptr<const Generation> generation = current_.load();
  SslPtr ssl(SSL_new(generation->certificates.front().ctx.get()));
  if (!ssl) return nullptr;
  // The session keeps the generation alive: its SSL's callbacks point into it.
  std::shared_ptr<const TlsStats> stats(generation, generation->stats.get());
  return std::make_unique<Session>(std::move(ssl), Session::Role::kServer, std::move(stats));
}

Status ServerContext::reload() {
  Result<std::shared_ptr<const Generation>> next = load(seen_);
  if (!next) return next.status();
  current_.store(std::move(*next));
  return Status::ok();
}

bool ServerContext::filesChanged() const { return anyChanged(seen_); }

Result<std::shared_ptr<const ServerContext::Generation>> ServerContext::load(
    std::vector<FileStamp>& stamps) const {
  std::vector<std::string> paths;
  for (const CertificateFiles& files : options_.certificates) {
    paths.push_back(files.certificate_chain);
    paths.push_back(files.private_key);
  }
  if (!options_.client_ca.empty()) paths.push_back(options_.client_ca);
  stamps = stampFiles(paths);  // before reading: a write racing with the read shows next time

  auto generation = std::make_shared<Generation>();
  generation->alpn = options_.alpn;
  generation->stats = stats_;
  for (const CertificateFiles& files : options_.certificates) {
    Result<SslCtxPtr> ctx =
        newSslCtx(TLS_server_method(), options_.min_version, options_.max_version);
    if (!ctx) return ctx.status();
    if (Status configured = configure(ctx->get(), files, *generation); !configured) {
      return configured;
    }
    std::vector<std::string> names = subjectAltNames(SSL_CTX_get0_certificate(ctx->get()), GEN_DNS);
    generation->certificates.push_back({std::move(*ctx), std::move(names)});
  }
  return std::shared_ptr<const Generation>(std::move(generation));
}

Status ServerContext::configure(SSL_CTX* ctx, const CertificateFiles& files,
                                Generation& generation) const {
  if (Status loaded = useCertificate(ctx, files.certificate_chain, files.private_key); !loaded) {
    return loaded;
  }
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof(kSessionIdContext) - 1);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  // The same keys in every generation: tickets issued before a reload still resume after it.
  if (SSL_CTX_set_tlsext_ticket_keys(ctx, const_cast<unsigned char*>(ticket_keys_.data()),
                                     static_cast<long>(ticket_keys_.size())) != 1) {
    return Status::error("cannot set the session ticket keys: " + takeOpenSslError());
  }
  SSL_CTX_set_tlsext_servername_callback(ctx, &Generation::onServerName);
  SSL_CTX_set_tlsext_servername_arg(ctx, &generation);
  if (!generation.alpn.empty()) SSL_CTX_set_alpn_select_cb(ctx, &Generation::onAlpn, &generation);
  if (!options_.client_ca.empty()) {
    if (Status trusted = trustCa(ctx, options_.client_ca); !trusted) return trusted;
    // The CA names go out in the CertificateRequest, so clients pick a matching certificate.
    SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(options_.client_ca.c_str()));
    SSL_CTX_set_verify(
        ctx,
        SSL_VERIFY_PEER |
            (options_.require_client_certificate ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
        nullptr);
  }
  return Status::ok();
}

}  // namespace weft::tls
