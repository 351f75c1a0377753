// TLS contexts and sessions without sockets: configuration errors name the file and the reason,
// the peer identity is read from a certificate, file stamps notice changes, and two sessions
// talk through their buffers alone (the contract network::Connection relies on).
#include <openssl/pem.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/stats/stats.h"
#include "core/tls/client_context.h"
#include "core/tls/file_stamp.h"
#include "core/tls/peer_identity.h"
#include "core/tls/server_context.h"
#include "tests/support/test_certs.h"

namespace weft::testing {
namespace {

const stats::Tags kTags = {{"listener", "unit"}};

tls::ServerOptions serverWith(const CertFiles& files) {
  tls::ServerOptions options;
  options.certificates = {{files.certificate_chain, files.private_key}};
  return options;
}

std::string serverError(tls::ServerOptions options) {
  stats::Store store;
  auto created = tls::ServerContext::create(std::move(options), store, kTags);
  return created ? "OK" : created.status().message();
}

std::string clientError(tls::ClientOptions options) {
  stats::Store store;
  auto created = tls::ClientContext::create(std::move(options), store, kTags);
  return created ? "OK" : created.status().message();
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

// Moves everything `from` produced to `to`'s input.
void deliver(tls::Session& from, tls::Session& to) {
  evbuffer_add_buffer(to.rawInput(), from.rawOutput());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_context)

BOOST_AUTO_TEST_CASE(server_configuration_errors_name_the_file_and_the_reason) {
  TestPki pki;
  const CertFiles good = pki.ca.issue({.dns_names = {"a.local"}}, "good");
  const CertFiles other = pki.ca.issue({.dns_names = {"b.local"}}, "other");
  BOOST_TEST(serverError(serverWith(good)) == "OK");
  BOOST_TEST(serverError({}) == "needs at least one certificate");

  const std::string missing = pki.dir.file("missing.pem");
  BOOST_TEST(serverError(serverWith({missing, good.private_key})) ==
             missing + ": No such file or directory");
  BOOST_TEST(serverError(serverWith({good.certificate_chain, missing})) ==
             missing + ": No such file or directory");

  const std::string junk = pki.dir.file("junk.pem");
  writeFile(junk, "this is not PEM\n");
  BOOST_TEST(serverError(serverWith({junk, good.private_key}))
                 .find(junk + ": cannot load the certificate chain: ") == 0u);
  BOOST_TEST(serverError(serverWith({good.certificate_chain, junk}))
                 .find(junk + ": cannot load the private key: ") == 0u);
  BOOST_TEST(serverError(serverWith({good.certificate_chain, other.private_key})) ==
             other.private_key + ": the private key does not match the certificate in " +
                 good.certificate_chain);

  tls::ServerOptions options = serverWith(good);
  options.require_client_certificate = true;
  BOOST_TEST(serverError(options) ==
             "require_client_certificate needs client_ca to verify them with");
  options.client_ca = missing;
  BOOST_TEST(serverError(options) == missing + ": No such file or directory");
  options.client_ca = junk;
  BOOST_TEST(serverError(options).find(junk + ": cannot load the CA certificates: ") == 0u);

  options = serverWith(good);
  options.alpn = {"h2", ""};
  BOOST_TEST(serverError(options) == "an ALPN protocol name must be 1..255 bytes, got \"\"");
  options = serverWith(good);
  options.min_version = tls::TlsVersion::kTls13;
  options.max_version = tls::TlsVersion::kTls12;
  BOOST_TEST(serverError(options) == "min_version is above max_version");
}

BOOST_AUTO_TEST_CASE(client_configuration_errors) {
  TestPki pki;
  const CertFiles cert = pki.ca.issue({}, "client");
  BOOST_TEST(clientError({}) == "OK");
  BOOST_TEST(clientError({.certificate_chain = cert.certificate_chain}) ==
             "certificate_chain and private_key go together");
  BOOST_TEST(clientError({.verify_subject_alt_names = {"spiffe://x/ns/a/sa/b"}}) ==
             "verify_subject_alt_names needs a ca to verify the certificate with");
  BOOST_TEST(clientError({.ca = pki.dir.file("nope.pem")}) ==
             pki.dir.file("nope.pem") + ": No such file or directory");
  BOOST_TEST(clientError({.ca = pki.ca.certificatePath(),
                          .alpn = {"h2"},
                          .certificate_chain = cert.certificate_chain,
                          .private_key = cert.private_key}) == "OK");
}

BOOST_AUTO_TEST_CASE(peer_identity_reads_spiffe_id_subject_and_sans) {
  TestPki pki;
  const CertFiles files =
      pki.ca.issue({.common_name = "ratings",
                    .dns_names = {"ratings.default.svc", "*.ratings.local"},
                    .uris = {"https://example.com/x", spiffeId("default", "ratings")},
                    .key_type = KeyType::kRsa2048},
                   "ratings");
  std::FILE* file = std::fopen(files.certificate_chain.c_str(), "r");
  BOOST_REQUIRE(file != nullptr);
  tls::X509Ptr cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  BOOST_REQUIRE(cert);
  const tls::PeerIdentity identity = tls::peerIdentity(cert.get());
  BOOST_TEST(identity.presented);
  BOOST_TEST(identity.spiffe_id == "spiffe://cluster.local/ns/default/sa/ratings");
  BOOST_TEST(identity.subject == "CN=ratings,O=Weft Test");
  BOOST_TEST(identity.dns_sans ==
             (std::vector<std::string>{"ratings.default.svc", "*.ratings.local"}));
  BOOST_TEST(identity.uri_sans.size() == 2u);
  BOOST_TEST(!tls::peerIdentity(nullptr).presented);
}

BOOST_AUTO_TEST_CASE(file_stamps_notice_replacement_and_rewrites) {
  TempDir dir;
  const std::string path = dir.file("watched");
  std::vector<tls::FileStamp> stamps = tls::stampFiles({path});
  BOOST_TEST(stamps[0].size == -1);  // not there yet
  BOOST_TEST(!tls::anyChanged(stamps));
  writeFile(path, "one");
  BOOST_TEST(tls::anyChanged(stamps));
  stamps = tls::stampFiles({path});
  BOOST_TEST(!tls::anyChanged(stamps));
  writeFile(path, "two!");
  BOOST_TEST(tls::anyChanged(stamps));
}

BOOST_AUTO_TEST_CASE(sessions_talk_through_their_buffers_alone) {
  TestPki pki;
  stats::Store store;
  auto server = tls::ServerContext::create(
      serverWith(pki.ca.issue({.dns_names = {"s.local"}}, "s")), store, kTags);
  BOOST_REQUIRE(server.isOk());
  auto client = tls::ClientContext::create({.ca = pki.ca.certificatePath(), .alpn = {"http/1.1"}},
                                           store, {{"cluster", "unit"}});
  BOOST_REQUIRE(client.isOk());
  tls::SessionPtr s = (*server)->newSession();
  tls::SessionPtr c = (*client)->newSession("s.local", "s");
  BOOST_TEST(c->info() == nullptr);

  for (int flight = 0; flight < 4 && !(s->established() && c->established()); ++flight) {
    BOOST_TEST((c->handshake() != tls::Session::Handshake::kFailed));
    deliver(*c, *s);
    BOOST_TEST((s->handshake() != tls::Session::Handshake::kFailed));
    deliver(*s, *c);
  }
  BOOST_REQUIRE(s->established() && c->established());
  BOOST_TEST(c->info()->alpn == "http/1.1");
  BOOST_TEST(s->info()->sni == "s.local");

  // Plaintext stays in the caller's buffer until the next call says its records left.
  event::EvbufferPtr out = event::newBuffer();
  const std::string message(100000, 'm');
  evbuffer_add(out.get(), message.data(), message.size());
  BOOST_REQUIRE(c->encryptNext(out.get()));
  BOOST_TEST(evbuffer_get_length(out.get()) == message.size());
  const size_t first_flight = evbuffer_get_length(c->rawOutput());
  BOOST_TEST(first_flight > 64u * 1024);
  deliver(*c, *s);
  BOOST_REQUIRE(c->encryptNext(out.get()));  // drops the first 64 KiB, encrypts the rest
  BOOST_TEST(evbuffer_get_length(out.get()) == message.size() - 64 * 1024);
  deliver(*c, *s);
  BOOST_REQUIRE(c->encryptNext(out.get()));
  BOOST_TEST(evbuffer_get_length(out.get()) == 0u);

  // Decryption stops at the limit and keeps the rest for later.
  event::EvbufferPtr in = event::newBuffer();
  BOOST_TEST((s->decrypt(in.get(), 1000) == tls::Session::Read::kFull));
  BOOST_TEST(evbuffer_get_length(in.get()) == 1000u);
  BOOST_TEST(s->hasBufferedInput());
  BOOST_TEST((s->decrypt(in.get(), 1 << 20) == tls::Session::Read::kNeedInput));
  BOOST_TEST(evbuffer_get_length(in.get()) == message.size());
  BOOST_TEST(!s->hasBufferedInput());

  c->closeNotify();
  deliver(*c, *s);
  BOOST_TEST((s->decrypt(in.get(), 1 << 20) == tls::Session::Read::kClosed));
  BOOST_TEST(store.counter("ssl.handshake", kTags).value() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::testing
