// The test PKI: see test_certs.h.
#include "tests/support/test_certs.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/tls/openssl.h"

namespace weft::testing {
namespace {

using tls::BioPtr;
using tls::EvpPkeyPtr;
using tls::X509Ptr;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("test certificates: " + what + ": " + tls::takeOpenSslError());
}

EvpPkeyPtr makeKey(KeyType type) {
  EvpPkeyPtr key(type == KeyType::kEcdsaP256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
  if (!key) fail("cannot generate a key");
  return key;
}

void addExtension(X509* cert, X509V3_CTX& context, int nid, const std::string& value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr || X509_add_ext(cert, extension, -1) != 1) {
    X509_EXTENSION_free(extension);
    fail("cannot add extension " + value);
  }
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, with the extensions in `extensions` (nid,
// value), signed by `issuer` / `issuer_key` (itself when `issuer` is null).
X509Ptr makeCertificate(const std::string& common_name, EVP_PKEY* key, X509* issuer,
                        EVP_PKEY* issuer_key,
                        const std::vector<std::pair<int, std::string>>& extensions) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("cannot make a certificate");
  BIGNUM* serial = BN_new();
  const bool serial_ok = serial != nullptr &&
                         BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
                         BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  if (!serial_ok) fail("cannot make a serial number");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 60 * 60);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Weft Test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr,
                 0);
  for (const auto& [nid, value] : extensions) addExtension(cert.get(), context, nid, value);
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) fail("cannot sign " + common_name);
  return cert;
}

// Writes `path` through a temporary file and a rename.
template <typename Write>
void writePem(const std::string& path, Write write) {
  const std::string temporary = path + ".tmp";
  {
    BioPtr bio(BIO_new_file(temporary.c_str(), "w"));
    if (!bio || !write(bio.get())) fail("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("test certificates: cannot rename " + temporary);
  }
}

void writeCertificate(const std::string& path, X509* cert) {
  writePem(path, [cert](BIO* bio) { return PEM_write_bio_X509(bio, cert) == 1; });
}

void writeKey(const std::string& path, EVP_PKEY* key) {
  writePem(path, [key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
}

}  // namespace

std::string spiffeId(std::string_view ns, std::string_view sa, std::string_view trust_domain) {
  return "spiffe://" + std::string(trust_domain) + "/ns/" + std::string(ns) + "/sa/" +
         std::string(sa);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/weft-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot make a temporary directory from " + pattern);
  }
  path_ = std::move(pattern);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::file(std::string_view name) const { return path_ + "/" + std::string(name); }

struct TestCa::Keys {
  EvpPkeyPtr key;
  X509Ptr cert;
};

TestCa::TestCa(const std::string& dir, std::string name, KeyType key_type)
    : dir_(dir), certificate_path_(dir + "/" + name + ".pem"), keys_(std::make_unique<Keys>()) {
  keys_->key = makeKey(key_type);
  keys_->cert = makeCertificate(name, keys_->key.get(), nullptr, keys_->key.get(),
                                {{NID_basic_constraints, "critical,CA:TRUE"},
                                 {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                 {NID_subject_key_identifier, "hash"}});
  writeCertificate(certificate_path_, keys_->cert.get());
}

TestCa::~TestCa() = default;

CertFiles TestCa::issue(const LeafSpec& spec, std::string_view stem) const {
  std::string names;
  for (const std::string& dns : spec.dns_names) names += (names.empty() ? "DNS:" : ",DNS:") + dns;
  for (const std::string& uri : spec.uris) names += (names.empty() ? "URI:" : ",URI:") + uri;
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, spec.key_type == KeyType::kRsa2048
                          ? "critical,digitalSignature,keyEncipherment"
                          : "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth,clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"}};
  if (!names.empty()) extensions.emplace_back(NID_subject_alt_name, names);
  EvpPkeyPtr key = makeKey(spec.key_type);
  X509Ptr cert =
      makeCertificate(spec.common_name, key.get(), keys_->cert.get(), keys_->key.get(), extensions);
  CertFiles files{dir_ + "/" + std::string(stem) + ".pem", dir_ + "/" + std::string(stem) + ".key"};
  writeKey(files.private_key, key.get());
  writeCertificate(files.certificate_chain, cert.get());
  return files;
}

TestPki::TestPki() : ca(dir.path(), "ca"), other_ca(dir.path(), "other-ca") {}

}  // namespace weft::testing
