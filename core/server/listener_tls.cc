// A listener's TLS context: see listener_tls.h.
#include "core/server/listener_tls.h"

namespace weft::server {

namespace {

tls::TlsVersion version(config::TlsVersion v) {
  return v == config::TlsVersion::kTls13 ? tls::TlsVersion::kTls13 : tls::TlsVersion::kTls12;
}

}  // namespace

Result<std::shared_ptr<tls::ServerContext>> listenerTls(
    const config::Listener& listener, const std::shared_ptr<tls::ServerContext>& previous,
    const config::ServerTls* previous_config, stats::Store& stats) {
  const config::ServerTls& block = *listener.tls;
  if (previous && previous_config && *previous_config == block) return previous;
  tls::ServerOptions options;
  for (const auto& certificate : block.certificates) {
    options.certificates.push_back({certificate.certificate_chain, certificate.private_key});
  }
  options.alpn = block.alpn;
  options.client_ca = block.client_ca;
  options.require_client_certificate = block.require_client_certificate;
  options.min_version = version(block.min_version);
  auto created =
      tls::ServerContext::create(std::move(options), stats, {{"listener", listener.name}});
  if (!created) return created.status();
  return std::shared_ptr<tls::ServerContext>(std::move(*created));
}

}  // namespace weft::server
