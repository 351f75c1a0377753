// peerIdentity and subjectAltNames: see peer_identity.h.
#include "core/tls/peer_identity.h"

#include <cstring>

#include "core/tls/openssl.h"

namespace weft::tls {
namespace {

constexpr std::string_view kSpiffePrefix = "spiffe://";

std::string rfc2253(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
}

}  // namespace

std::vector<std::string> subjectAltNames(const X509* cert, int kind) {
  std::vector<std::string> names;
  if (cert == nullptr) return names;
  GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!sans) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* san = sk_GENERAL_NAME_value(sans.get(), i);
    if (san->type != kind || (kind != GEN_DNS && kind != GEN_URI)) continue;
    const ASN1_IA5STRING* text =
        kind == GEN_DNS ? san->d.dNSName : san->d.uniformResourceIdentifier;
    const char* bytes = reinterpret_cast<const char*>(ASN1_STRING_get0_data(text));
    const size_t length = static_cast<size_t>(ASN1_STRING_length(text));
    if (std::memchr(bytes, '\0', length) != nullptr) continue;
    names.emplace_back(bytes, length);
  }
  return names;
}

PeerIdentity peerIdentity(const X509* cert) {
  PeerIdentity identity;
  if (cert == nullptr) return identity;
  identity.presented = true;
  identity.subject = rfc2253(X509_get_subject_name(cert));
  identity.dns_sans = subjectAltNames(cert, GEN_DNS);
  identity.uri_sans = subjectAltNames(cert, GEN_URI);
  for (const std::string& uri : identity.uri_sans) {
    if (uri.starts_with(kSpiffePrefix)) {
      identity.spiffe_id = uri;
      break;
    }
  }
  return identity;
}

}  // namespace weft::tls
