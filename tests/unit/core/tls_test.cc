// TLS over network::Connection on real loopback sockets, both ends on one libevent loop
// (tls_loopback.h), with certificates made at run time (tests/support/test_certs.h): data both
// ways with backpressure, ALPN, SNI, key types and versions, mutual TLS and identities,
// verification failures, resumption, reload, and hostile input.
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "core/stats/stats.h"
#include "core/tls/client_context.h"
#include "core/tls/server_context.h"
#include "tests/support/test_certs.h"
#include "tests/unit/core/tls_loopback.h"

namespace weft::testing {
namespace {

const stats::Tags kListener = {{"listener", "test"}};
const stats::Tags kCluster = {{"cluster", "test"}};

// Writes to a socket the peer reset must fail, not kill the test.
struct IgnoreSigpipe {
  IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }
};
BOOST_TEST_GLOBAL_FIXTURE(IgnoreSigpipe);

std::string pattern(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 7 + i / 251) % 256);
  return data;
}

// The certificates, contexts and loop one test needs. Members are destroyed bottom-up: the
// connections first, the store (which sessions count into) after them.
struct Tls {
  TestPki pki;
  stats::Store store;
  std::unique_ptr<tls::ServerContext> server;
  std::shared_ptr<tls::ClientContext> client;
  TlsLoopback net;

  uint64_t serverCount(std::string_view name) { return store.counter(name, kListener).value(); }
  uint64_t clientCount(std::string_view name) { return store.counter(name, kCluster).value(); }

  CertFiles leaf(std::vector<std::string> dns, std::string_view stem,
                 KeyType key = KeyType::kEcdsaP256) {
    return pki.ca.issue(
        {.common_name = std::string(stem), .dns_names = std::move(dns), .key_type = key}, stem);
  }

  void startServer(tls::ServerOptions options, Peer::Role role = Peer::Role::kEcho,
                   network::Connection::Watermarks marks = {}) {
    auto created = tls::ServerContext::create(std::move(options), store, kListener);
    BOOST_REQUIRE_MESSAGE(created.isOk(), (created ? "" : created.status().message()));
    server = std::move(*created);
    net.serve(server.get(), role, marks);
  }
  // A server with one ECDSA certificate for "server.local".
  void startServer() { startServer(serverWith({leaf({"server.local"}, "server")})); }

  void makeClientWith(tls::ClientOptions options) {
    auto created = tls::ClientContext::create(std::move(options), store, kCluster);
    BOOST_REQUIRE_MESSAGE(created.isOk(), (created ? "" : created.status().message()));
    client = std::move(*created);
  }
  // A client that trusts the test CA and offers `alpn`.
  void makeClient(std::vector<std::string> alpn = {"h2", "http/1.1"}) {
    makeClientWith(tls::ClientOptions{.ca = pki.ca.certificatePath(), .alpn = std::move(alpn)});
  }

  static tls::ServerOptions serverWith(const std::vector<CertFiles>& certificates) {
    tls::ServerOptions options;
    for (const CertFiles& files : certificates) {
      options.certificates.push_back({files.certificate_chain, files.private_key});
    }
    return options;
  }

  // Connects a client and runs until both handshakes are done (or one side failed).
  Peer& handshake(std::string_view host = "server.local", std::string_view key = "server") {
    const size_t index = net.servers().size();
    Peer& peer = net.connect(*client, host, key);
    const bool finished = net.runUntil([&] {
      const bool server_done =
          net.servers().size() > index &&
          (net.servers()[index]->handshake_done || net.servers()[index]->failed);
      return (peer.connected || peer.failed) && server_done;
    });
    BOOST_REQUIRE_MESSAGE(finished, "the handshake neither completed nor failed");
    return peer;
  }
  Peer& serverPeer(size_t index) { return *net.servers().at(index); }

  // Sends `text` from `peer` to the echo server and waits for it to come back.
  void roundTrip(Peer& peer, const std::string& text) {
    const size_t before = peer.received.size();
    peer.send(text);
    BOOST_REQUIRE(net.runUntil([&] { return peer.received.size() >= before + text.size(); }));
    BOOST_TEST(peer.received.substr(before) == text);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_transport)

BOOST_AUTO_TEST_CASE(megabytes_flow_both_ways_within_the_watermarks) {
  Tls t;
  // The server's input is capped below one TLS record, so decryption stops mid-record.
  t.startServer(Tls::serverWith({t.leaf({"server.local"}, "server")}), Peer::Role::kEcho,
                {.read_high = 10000, .write_low = 4096});
  t.makeClient();
  Peer& client = t.net.connect(*t.client, "server.local", "server", {.read_high = 64 * 1024});
  const std::string data = pattern(8 * 1024 * 1024 + 123);
  client.send(data);  // before the handshake: waits, then goes out encrypted
  BOOST_REQUIRE(
      t.net.runUntil([&] { return client.received.size() >= data.size() || client.failed; }));
  BOOST_TEST(!client.failed);
  BOOST_TEST(client.received.size() == data.size());
  BOOST_TEST((client.received == data));
  BOOST_TEST(client.tls_info_at_connect);
  BOOST_TEST(client.largest_input <= 64u * 1024);
  BOOST_TEST(t.serverPeer(0).largest_input <= 10000u);
  BOOST_TEST(t.serverPeer(0).handshake_done);
  BOOST_TEST(client.info().version == "TLSv1.3");
  BOOST_TEST(t.serverPeer(0).info().alpn == "h2");
  BOOST_TEST(evbuffer_get_length(client.connection().output()) == 0u);
  BOOST_TEST(t.serverCount("ssl.handshake") == 1u);
  BOOST_TEST(t.clientCount("ssl.handshake") == 1u);
}

BOOST_AUTO_TEST_CASE(close_notify_is_a_remote_close) {
  Tls t;
  t.startServer();
  t.makeClient();
  Peer& client = t.handshake();
  t.roundTrip(client, "last words");
  client.connection().quiesce();  // sends close_notify
  BOOST_REQUIRE(
      t.net.runUntil([&] { return t.serverPeer(0).remote_closed || t.serverPeer(0).failed; }));
  BOOST_TEST(t.serverPeer(0).remote_closed);
  BOOST_TEST(!t.serverPeer(0).failed);
}

BOOST_AUTO_TEST_CASE(alpn_follows_the_servers_preference) {
  Tls t;
  t.startServer();
  t.makeClient({"http/1.1", "h2"});
  Peer& both = t.handshake();
  BOOST_TEST(both.info().alpn == "h2");
  BOOST_TEST(t.serverPeer(0).info().alpn == "h2");

  t.makeClient({"http/1.1"});
  BOOST_TEST(t.handshake().info().alpn == "http/1.1");

  t.makeClient(std::vector<std::string>{});  // no ALPN offered: proceeds, nothing agreed
  Peer& none = t.handshake();
  BOOST_TEST(none.connected);
  BOOST_TEST(none.info().alpn == "");
  BOOST_TEST(t.serverCount("ssl.no_common_alpn") == 0u);
}

BOOST_AUTO_TEST_CASE(no_common_alpn_is_refused_with_the_alert) {
  Tls t;
  t.startServer();
  t.makeClient({"spdy/3", "foo"});
  Peer& client = t.handshake();
  BOOST_TEST(client.failed);
  BOOST_TEST(!client.connected);
  BOOST_TEST(t.serverPeer(0).failed);
  // The client learnt why from the server's alert.
  BOOST_TEST(std::string(client.connection().tlsError()).find("no application protocol") !=
                 std::string::npos,
             client.connection().tlsError());
  BOOST_TEST(t.serverCount("ssl.no_common_alpn") == 1u);
  BOOST_TEST(t.serverCount("ssl.connection_error") == 1u);
  BOOST_TEST(t.serverCount("ssl.handshake") == 0u);
  BOOST_TEST(t.clientCount("ssl.connection_error") == 1u);
}

BOOST_AUTO_TEST_CASE(sni_picks_the_certificate_whose_names_match) {
  Tls t;
  t.startServer(Tls::serverWith({t.leaf({"default.local"}, "default"),
                                 t.leaf({"*.svc.local"}, "wildcard", KeyType::kRsa2048),
                                 t.leaf({"api.example.com", "api.svc.local"}, "api")}));
  t.makeClient();
  const auto served = [&](std::string_view host) {
    Peer& client = t.handshake(host, host);
    BOOST_REQUIRE(client.connected);
    return client.info().peer.dns_sans;
  };
  using Names = std::vector<std::string>;
  BOOST_TEST(served("api.example.com") == (Names{"api.example.com", "api.svc.local"}));
  BOOST_TEST(served("API.Example.COM") == (Names{"api.example.com", "api.svc.local"}));
  BOOST_TEST(served("api.svc.local") ==
             (Names{"api.example.com", "api.svc.local"}));  // exact first
  BOOST_TEST(served("reviews.svc.local") == (Names{"*.svc.local"}));
  BOOST_TEST(served("a.b.svc.local") == (Names{"default.local"}));  // one label only
  BOOST_TEST(served("unknown.org") == (Names{"default.local"}));
  BOOST_TEST(served("127.0.0.1") == (Names{"default.local"}));  // an IP literal sends no SNI
  BOOST_TEST(t.serverPeer(0).info().sni == "api.example.com");
  BOOST_TEST(t.serverPeer(6).info().sni == "");
}

BOOST_AUTO_TEST_CASE(ecdsa_and_rsa_certificates_over_tls_1_2_and_1_3) {
  for (KeyType key : {KeyType::kEcdsaP256, KeyType::kRsa2048}) {
    for (tls::TlsVersion version : {tls::TlsVersion::kTls12, tls::TlsVersion::kTls13}) {
      const bool rsa = key == KeyType::kRsa2048;
      const bool v12 = version == tls::TlsVersion::kTls12;
      BOOST_TEST_CONTEXT((rsa ? "RSA" : "ECDSA") << (v12 ? " TLS 1.2" : " TLS 1.3")) {
        Tls t;
        tls::ServerOptions options = Tls::serverWith({t.leaf({"server.local"}, "server", key)});
        options.min_version = version;
        options.max_version = version;
        t.startServer(options);
        t.makeClient();
        Peer& client = t.handshake();
        BOOST_REQUIRE(client.connected);
        t.roundTrip(client, "hello over " + client.info().version);
        BOOST_TEST(client.info().version == (v12 ? "TLSv1.2" : "TLSv1.3"));
        const std::string& cipher = t.serverPeer(0).info().cipher;
        if (v12) {
          BOOST_TEST(cipher.find(rsa ? "ECDHE-RSA-" : "ECDHE-ECDSA-") == 0u, cipher);
        } else {
          BOOST_TEST(cipher.find("TLS_") == 0u, cipher);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(mutual_tls_shows_the_client_identity) {
  Tls t;
  tls::ServerOptions options = Tls::serverWith({t.leaf({"server.local"}, "server")});
  options.client_ca = t.pki.ca.certificatePath();
  options.require_client_certificate = true;
  t.startServer(options);
  const CertFiles client_cert = t.pki.ca.issue(
      {.common_name = "reviews", .uris = {"urn:other", spiffeId("default", "reviews")}}, "client");
  t.makeClientWith(tls::ClientOptions{.ca = t.pki.ca.certificatePath(),
                                      .alpn = {"h2"},
                                      .certificate_chain = client_cert.certificate_chain,
                                      .private_key = client_cert.private_key});
  Peer& client = t.handshake();
  BOOST_REQUIRE(client.connected);
  const tls::PeerIdentity& peer = t.serverPeer(0).info().peer;
  BOOST_TEST(peer.presented);
  BOOST_TEST(peer.spiffe_id == "spiffe://cluster.local/ns/default/sa/reviews");
  BOOST_TEST(peer.subject == "CN=reviews,O=Weft Test");
  BOOST_TEST(peer.uri_sans.size() == 2u);
  BOOST_TEST(client.info().peer.subject == "CN=server,O=Weft Test");
  BOOST_TEST(client.info().peer.spiffe_id == "");
  BOOST_TEST(t.serverCount("ssl.no_certificate") == 0u);
  t.roundTrip(client, "authenticated");
}

BOOST_AUTO_TEST_CASE(client_certificates_that_do_not_verify_are_refused) {
  Tls t;
  tls::ServerOptions options = Tls::serverWith({t.leaf({"server.local"}, "server")});
  options.client_ca = t.pki.ca.certificatePath();
  options.require_client_certificate = true;
  t.startServer(options);

  const CertFiles stranger = t.pki.other_ca.issue({.uris = {spiffeId("x", "y")}}, "stranger");
  t.makeClientWith(tls::ClientOptions{.ca = t.pki.ca.certificatePath(),
                                      .certificate_chain = stranger.certificate_chain,
                                      .private_key = stranger.private_key});
  Peer& wrong_ca = t.handshake();
  BOOST_TEST(t.serverPeer(0).failed);
  // TLS 1.3: the client's handshake is done before the server checks its certificate, so the
  // client learns of the refusal from the alert that follows.
  BOOST_REQUIRE(t.net.runUntil([&] { return wrong_ca.failed; }));
  BOOST_TEST(t.serverCount("ssl.fail_verify_error") == 1u);
  BOOST_TEST(std::string(t.serverPeer(0).connection().tlsError()).find("verify") !=
             std::string::npos);

  t.makeClient();  // no certificate at all
  Peer& anonymous = t.handshake();
  BOOST_TEST(t.serverPeer(1).failed);
  BOOST_TEST(t.serverCount("ssl.fail_verify_no_cert") == 1u);
  BOOST_REQUIRE(t.net.runUntil([&] { return anonymous.failed; }));
  BOOST_TEST(t.serverCount("ssl.handshake") == 0u);
}

BOOST_AUTO_TEST_CASE(optional_client_certificates_are_counted_when_absent) {
  Tls t;
  tls::ServerOptions options = Tls::serverWith({t.leaf({"server.local"}, "server")});
  options.client_ca = t.pki.ca.certificatePath();
  t.startServer(options);
  t.makeClient();
  Peer& client = t.handshake();
  BOOST_REQUIRE(client.connected);
  BOOST_TEST(!t.serverPeer(0).info().peer.presented);
  BOOST_TEST(t.serverCount("ssl.no_certificate") == 1u);
}

BOOST_AUTO_TEST_CASE(upstream_verification_failures_are_refused_and_counted) {
  Tls t;
  const CertFiles unknown = t.pki.other_ca.issue({.dns_names = {"server.local"}}, "unknown");
  t.startServer(Tls::serverWith({unknown}));
  t.makeClient();
  Peer& client = t.handshake();
  BOOST_TEST(client.failed);
  BOOST_TEST(!client.connected);
  BOOST_TEST(t.clientCount("ssl.fail_verify_error") == 1u);
  BOOST_TEST(std::string(client.connection().tlsError()).find("verify failed") != std::string::npos,
             client.connection().tlsError());
  BOOST_REQUIRE(t.net.runUntil([&] { return t.serverPeer(0).failed; }));  // our alert arrived

  // A certificate from the right CA, but not the identity the cluster expects.
  Tls s;
  s.startServer(
      Tls::serverWith({s.pki.ca.issue({.uris = {spiffeId("default", "ratings")}}, "ratings")}));
  s.makeClientWith(
      tls::ClientOptions{.ca = s.pki.ca.certificatePath(),
                         .verify_subject_alt_names = {spiffeId("default", "reviews")}});
  BOOST_TEST(s.handshake().failed);
  BOOST_TEST(s.clientCount("ssl.fail_verify_san") == 1u);
  BOOST_TEST(s.clientCount("ssl.fail_verify_error") == 0u);

  s.makeClientWith(tls::ClientOptions{
      .ca = s.pki.ca.certificatePath(),
      .verify_subject_alt_names = {"reviews.local", spiffeId("default", "ratings")}});
  Peer& expected = s.handshake();
  BOOST_TEST(expected.connected);
  BOOST_TEST(expected.info().peer.spiffe_id == spiffeId("default", "ratings"));
}

BOOST_AUTO_TEST_CASE(an_upstream_without_a_ca_is_not_verified) {
  Tls t;
  t.startServer(Tls::serverWith({t.pki.other_ca.issue({.dns_names = {"x"}}, "unknown")}));
  t.makeClientWith(tls::ClientOptions{});
  BOOST_TEST(t.handshake().connected);
}

BOOST_AUTO_TEST_CASE(sessions_resume_with_tls_1_3_and_1_2_tickets) {
  for (tls::TlsVersion version : {tls::TlsVersion::kTls13, tls::TlsVersion::kTls12}) {
    BOOST_TEST_CONTEXT((version == tls::TlsVersion::kTls13 ? "TLS 1.3" : "TLS 1.2")) {
      Tls t;
      tls::ServerOptions options = Tls::serverWith({t.leaf({"server.local"}, "server")});
      options.max_version = version;
      t.startServer(options);
      t.makeClient();
      Peer& first = t.handshake();
      BOOST_REQUIRE(first.connected);
      BOOST_TEST(!first.info().session_reused);
      t.roundTrip(first, "tickets arrive before this echo");
      first.connection().quiesce();

      Peer& second = t.handshake();
      BOOST_REQUIRE(second.connected);
      BOOST_TEST(second.info().session_reused);
      BOOST_TEST(t.serverPeer(1).info().session_reused);
      BOOST_TEST(t.serverCount("ssl.session_reused") == 1u);
      BOOST_TEST(t.clientCount("ssl.session_reused") == 1u);
      BOOST_TEST(t.serverCount("ssl.handshake") == 2u);
      t.roundTrip(second, "resumed");

      // Another endpoint key has no session to offer.
      BOOST_TEST(!t.handshake("server.local", "elsewhere").info().session_reused);
    }
  }
}

BOOST_AUTO_TEST_CASE(tls_1_2_clients_without_tickets_resume_from_the_server_cache) {
  Tls t;
  t.startServer();
  // A plain blocking OpenSSL client on its own thread: TLS 1.2, no ticket extension, so the
  // server must remember the session by its id.
  bool resumed = false;
  std::string failure;
  std::thread client([&] {
    tls::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    tls::SslSessionPtr saved;
    for (int round = 0; round < 2 && failure.empty(); ++round) {
      const int fd = connectBlocking(t.net.port());
      tls::SslPtr ssl(SSL_new(ctx.get()));
      SSL_set_fd(ssl.get(), fd);
      if (saved) SSL_set_session(ssl.get(), saved.get());
      if (SSL_connect(ssl.get()) != 1) {
        failure = "handshake " + std::to_string(round) + ": " + tls::takeOpenSslError();
      } else if (round == 0) {
        saved.reset(SSL_get1_session(ssl.get()));
      } else {
        resumed = SSL_session_reused(ssl.get()) == 1;
      }
      SSL_shutdown(ssl.get());
      ::close(fd);
    }
  });
  const bool served =
      t.net.runUntil([&] { return t.net.servers().size() == 2 && t.serverPeer(1).handshake_done; });
  client.join();
  BOOST_REQUIRE_MESSAGE(failure.empty(), failure);
  BOOST_REQUIRE(served);
  BOOST_TEST(resumed);
  BOOST_TEST(t.serverPeer(1).info().session_reused);
  BOOST_TEST(t.serverPeer(1).info().version == "TLSv1.2");
  BOOST_TEST(t.serverCount("ssl.session_reused") == 1u);
}

BOOST_AUTO_TEST_CASE(reload_serves_new_certificates_to_new_connections_only) {
  Tls t;
  t.startServer(Tls::serverWith({t.leaf({"v1.local"}, "server")}));
  t.makeClient();
  Peer& before = t.handshake("v1.local", "server");
  BOOST_REQUIRE(before.connected);
  t.roundTrip(before, "tickets first");
  BOOST_TEST(!t.server->filesChanged());

  const CertFiles renewed = t.leaf({"v2.local"}, "server");  // same paths, new files
  BOOST_TEST(t.server->filesChanged());
  const Status reloaded = t.server->reload();
  BOOST_REQUIRE_MESSAGE(reloaded.isOk(), reloaded.message());
  BOOST_TEST(!t.server->filesChanged());

  t.roundTrip(before, "the open connection keeps its old session");
  BOOST_TEST(before.info().peer.dns_sans == std::vector<std::string>{"v1.local"});

  Peer& fresh = t.handshake("v2.local", "fresh");
  BOOST_REQUIRE(fresh.connected);
  BOOST_TEST(fresh.info().peer.dns_sans == std::vector<std::string>{"v2.local"});

  // A ticket issued before the reload still resumes after it.
  Peer& resumed = t.handshake("v1.local", "server");
  BOOST_REQUIRE(resumed.connected);
  BOOST_TEST(resumed.info().session_reused);

  // A broken file: the reload fails, names the file, and the last good certificate stays.
  std::FILE* key = std::fopen(renewed.private_key.c_str(), "w");
  std::fputs("not a key\n", key);
  std::fclose(key);
  BOOST_TEST(t.server->filesChanged());
  const Status failed = t.server->reload();
  BOOST_TEST(!failed.isOk());
  BOOST_TEST(failed.message().find(renewed.private_key + ": cannot load the private key") == 0u,
             failed.message());
  BOOST_TEST(!t.server->filesChanged());  // until the file changes again
  Peer& after_failure = t.handshake("v2.local", "after-failure");
  BOOST_REQUIRE(after_failure.connected);
  BOOST_TEST(after_failure.info().peer.dns_sans == std::vector<std::string>{"v2.local"});
}

BOOST_AUTO_TEST_CASE(garbage_after_a_handshake_byte_fails_cleanly) {
  Tls t;
  t.startServer();
  // A record that claims to be a handshake but holds no ClientHello: refused with an alert.
  const int fd = connectBlocking(t.net.port());
  BOOST_REQUIRE(fd >= 0);
  const std::string garbage("\x16\x03\x01\x00\x08garbage!", 13);
  BOOST_REQUIRE(::send(fd, garbage.data(), garbage.size(), 0) == 13);
  BOOST_REQUIRE(t.net.runUntil([&] { return !t.net.servers().empty() && t.serverPeer(0).failed; }));
  BOOST_TEST(t.serverCount("ssl.connection_error") == 1u);
  unsigned char reply[64];
  BOOST_TEST(::recv(fd, reply, sizeof(reply), 0) >= 1);
  BOOST_TEST(reply[0] == 0x15);  // an alert record
  ::close(fd);

  // Not TLS at all after the first byte.
  const int http = connectBlocking(t.net.port());
  const std::string text = "\x16GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  BOOST_REQUIRE(::send(http, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
  BOOST_REQUIRE(
      t.net.runUntil([&] { return t.net.servers().size() == 2 && t.serverPeer(1).failed; }));
  BOOST_TEST(t.serverCount("ssl.connection_error") == 2u);
  ::close(http);

  // Half a ClientHello, then the peer goes away: an error, not a hang.
  const int quitter = connectBlocking(t.net.port());
  const std::string partial("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  BOOST_REQUIRE(::send(quitter, partial.data(), partial.size(), 0) == 11);
  ::close(quitter);
  BOOST_REQUIRE(
      t.net.runUntil([&] { return t.net.servers().size() == 3 && t.serverPeer(2).failed; }));
  BOOST_TEST(t.serverPeer(2).connection().tlsError() ==
             "the peer closed the connection during the handshake");
  BOOST_TEST(t.serverCount("ssl.handshake") == 0u);
}

BOOST_AUTO_TEST_CASE(plaintext_connections_are_untouched) {
  Tls t;
  t.startServer();  // sniffs, but these bytes are not a ClientHello
  const int fd = connectBlocking(t.net.port());
  BOOST_REQUIRE(::send(fd, "plain", 5, 0) == 5);
  char echoed[5];
  BOOST_REQUIRE(t.net.runUntil(
      [&] { return ::recv(fd, echoed, sizeof(echoed), MSG_DONTWAIT | MSG_PEEK) == 5; }));
  BOOST_TEST(::recv(fd, echoed, 5, 0) == 5);
  BOOST_TEST(std::string(echoed, 5) == "plain");
  BOOST_TEST(t.serverPeer(0).connection().tlsInfo() == nullptr);
  ::close(fd);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::testing
