// A throwaway PKI for tests, made at run time with the OpenSSL API: certificate authorities and
// leaf certificates (ECDSA P-256 or RSA-2048; SAN DNS names and URIs such as SPIFFE ids) written
// as PEM files into a temporary directory that is removed with its TempDir.
//
//   TestPki pki;                                    // a temp dir, "ca" and an unrelated "other-ca"
//   CertFiles server = pki.ca.issue({.dns_names = {"svc.local"}}, "server");
//   CertFiles client = pki.ca.issue({.uris = {spiffeId("default", "reviews")}}, "client");
//   // server.certificate_chain, server.private_key, pki.ca.certificatePath(): PEM file paths
//
// Leaves are valid from an hour ago for a day, usable for both server and client auth, and
// signed directly by their CA (the chain file holds the leaf alone). Failures throw
// std::runtime_error: this is test setup, where a failure should stop the test with a message.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft::testing {

enum class KeyType { kEcdsaP256, kRsa2048 };

struct CertFiles {
  std::string certificate_chain;  // PEM: the leaf
  std::string private_key;        // PEM: PKCS#8, unencrypted
};

// Every field has an initializer, so designated initializers may name any subset of them.
struct LeafSpec {
  std::string common_name = "weft-test";
  std::vector<std::string> dns_names{};  // SAN DNS entries, e.g. "*.svc.cluster.local"
  std::vector<std::string> uris{};       // SAN URI entries, e.g. a SPIFFE id
  KeyType key_type = KeyType::kEcdsaP256;
};

// "spiffe://<trust_domain>/ns/<ns>/sa/<sa>".
std::string spiffeId(std::string_view ns, std::string_view sa,
                     std::string_view trust_domain = "cluster.local");

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // "<path>/<name>".
  std::string file(std::string_view name) const;

 private:
  std::string path_;
};

// A self-signed CA whose certificate is written to <dir>/<name>.pem.
class TestCa {
 public:
  TestCa(const std::string& dir, std::string name, KeyType key_type = KeyType::kEcdsaP256);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& certificatePath() const { return certificate_path_; }
  // Issues a leaf for `spec` into <dir>/<stem>.pem and <dir>/<stem>.key. An existing pair of
  // that name is replaced by rename, so a reader never sees half a file.
  CertFiles issue(const LeafSpec& spec, std::string_view stem) const;

 private:
  struct Keys;  // the CA's certificate and key (OpenSSL objects)
  std::string dir_;
  std::string certificate_path_;
  std::unique_ptr<Keys> keys_;
};

// What most TLS tests need: a temp dir, the CA every test trusts, and an unrelated CA for
// "wrong CA" cases.
struct TestPki {
  TestPki();
  TempDir dir;
  TestCa ca;
  TestCa other_ca;
};

}  // namespace weft::testing
