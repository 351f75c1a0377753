// TLS through the real weft-proxy with real clients (curl, h2load, openssl s_client): termination
// with ALPN beside plaintext on the same port, SNI among certificates of both key types, the
// protocol versions, mutual TLS and the peer identity filters see (tests/plugins/peer_identity.c
// and a Lua script's connection():ssl()),
// session resumption, certificate reload under load, TLS origination toward a second proxy, and
// broken or stalled handshakes. Certificates come from a throwaway PKI made at run time
// (tests/support/test_certs.h).
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/lua_fixture.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/support/test_certs.h"

namespace weft::itest {
namespace {

using namespace std::string_view_literals;

const std::string kCurl = "/usr/bin/curl";
const std::string kOpenSsl = "/usr/bin/openssl";
const std::string kH2load = "/usr/bin/h2load";

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A listener's `tls:` block. Every field has an initializer, so designated initializers may name
// any subset of them.
struct ListenerTls {
  std::vector<testing::CertFiles> certificates{};
  std::string client_ca{};
  bool require_client_certificate = false;
};

// `yaml` (from httpBootstrapYaml) with `tls` under its listener "ingress".
std::string withListenerTls(std::string yaml, const ListenerTls& tls) {
  std::string block = "    tls:\n      certificates:\n";
  for (const testing::CertFiles& files : tls.certificates) {
    block += "        - { certificate_chain: " + files.certificate_chain +
             ", private_key: " + files.private_key + " }\n";
  }
  if (!tls.client_ca.empty()) block += "      client_ca: " + tls.client_ca + "\n";
  if (tls.require_client_certificate) block += "      require_client_certificate: true\n";
  const std::string anchor = "    route_config: local\n";
  size_t at = yaml.find(anchor);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no listener in:\n" << yaml);
  yaml.insert(at + anchor.size(), block);
  return yaml;
}

// The test PKI, a certificate for "localhost" and weft-test-upstream: where every case starts.
struct TlsSetup {
  // A proxy in front of the upstream whose listener "ingress" terminates TLS as `tls` says.
  std::unique_ptr<Proxy> startProxy(const ListenerTls& tls, HttpBootstrap spec = {}) {
    spec.upstream_port = upstream.port();
    return std::make_unique<Proxy>(withListenerTls(httpBootstrapYaml(spec), tls));
  }
  // A leaf of the test CA named `name`, with `name` as its DNS SAN and any `uris`.
  testing::CertFiles issue(const std::string& name, std::vector<std::string> uris = {},
                           testing::KeyType key_type = testing::KeyType::kEcdsaP256) {
    return pki.ca.issue(
        {.common_name = name, .dns_names = {name}, .uris = std::move(uris), .key_type = key_type},
        name);
  }
  const std::string& ca() const { return pki.ca.certificatePath(); }

  testing::TestPki pki;
  testing::CertFiles localhost = issue("localhost");
  Upstream upstream{"alpha"};
};

// curl -i over TLS to https://<host>:<port><path>, trusting the test CA, `host` resolved to
// 127.0.0.1; `extra` goes before the URL.
std::vector<std::string> curlArgs(const TlsSetup& setup, uint16_t port, std::string_view path,
                                  std::vector<std::string> extra = {},
                                  const std::string& host = "localhost") {
  const std::string authority = host + ":" + std::to_string(port);
  std::vector<std::string> argv = {kCurl,        "-sS",       "-i",
                                   "--max-time", "10",        "--cacert",
                                   setup.ca(),   "--resolve", authority + ":127.0.0.1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("https://" + authority + std::string(path));
  return argv;
}

ProgramRun curlTls(const TlsSetup& setup, uint16_t port, std::string_view path,
                   std::vector<std::string> extra = {}, const std::string& host = "localhost") {
  return runProgram(curlArgs(setup, port, path, std::move(extra), host));
}

// openssl s_client to 127.0.0.1:<port> with nothing to send: the handshake, what it learnt, then
// close. `extra`: more options ("-servername", "a.test").
ProgramRun sClient(uint16_t port, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {kOpenSsl, "s_client", "-connect",
                                   "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return runProgram(std::move(argv));
}

// openssl s_client sending one HTTP/1.1 request (Connection: close) and reading the whole
// response, so TLS 1.3 session tickets (sent after the handshake) arrive before it exits.
// `options`: more s_client options, space-separated.
ProgramRun sClientRequest(uint16_t port, const std::string& options) {
  const std::string request =
      "printf 'GET /headers HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n'";
  return runProgram({"/bin/sh", "-c",
                     request + " | " + kOpenSsl + " s_client -ign_eof -connect 127.0.0.1:" +
                         std::to_string(port) + " " + options});
}

// The common name of the certificate s_client was served (its "subject=O = Weft Test, CN = x"
// line); empty if it printed none.
std::string servedCommonName(const ProgramRun& result) {
  size_t line = result.out.find("\nsubject=");
  if (line == std::string::npos) return "";
  std::string subject = result.out.substr(line + 1, result.out.find('\n', line + 1) - line - 1);
  size_t at = subject.find("CN = ");
  return at == std::string::npos ? "" : subject.substr(at + 5);
}

std::string plugin(const std::string& name) {
  return std::string(WEFT_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

// The folded name of a TLS counter of listener "ingress" or of a cluster.
std::string listenerSsl(std::string_view counter) {
  return "ssl.listener.ingress." + std::string(counter);
}
std::string clusterSsl(std::string_view cluster, std::string_view counter) {
  return "ssl.cluster." + std::string(cluster) + "." + std::string(counter);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_proxy)

BOOST_AUTO_TEST_CASE(listener_terminates_tls_with_alpn_beside_plaintext) {
  TlsSetup setup;
  auto proxy = setup.startProxy({.certificates = {setup.localhost}});
  const uint16_t port = proxy->port();

  ProgramRun h2 = curlTls(setup, port, "/headers");
  BOOST_REQUIRE_MESSAGE(h2.status == 0, h2.err);
  BOOST_TEST(h2.out.starts_with("HTTP/2 200"), h2.out);  // ALPN chose h2
  BOOST_TEST(contains(h2.out, "x-forwarded-proto: https"), h2.out);

  ProgramRun h1 = curlTls(setup, port, "/headers", {"--http1.1"});
  BOOST_REQUIRE_MESSAGE(h1.status == 0, h1.err);
  BOOST_TEST(h1.out.starts_with("HTTP/1.1 200"), h1.out);
  BOOST_TEST(contains(h1.out, "x-forwarded-proto: https"), h1.out);

  // Plaintext on the same port: HTTP/1.1 and h2c with prior knowledge.
  auto plain = get(port, "/headers");
  BOOST_REQUIRE(plain);
  BOOST_TEST(plain->status == 200);
  BOOST_TEST(echoedHeader(*plain, "x-forwarded-proto").value_or("") == "http");
  ProgramRun h2c = runProgram({kCurl, "-sS", "-i", "--http2-prior-knowledge",
                               "http://127.0.0.1:" + std::to_string(port) + "/headers"});
  BOOST_REQUIRE_MESSAGE(h2c.status == 0, h2c.err);
  BOOST_TEST(h2c.out.starts_with("HTTP/2 200"), h2c.out);
  BOOST_TEST(contains(h2c.out, "x-forwarded-proto: http\n"), h2c.out);

  ProgramRun load = runProgram({kH2load, "-n", "2000", "-c", "2", "-m", "10",
                                "https://127.0.0.1:" + std::to_string(port) + "/"});
  BOOST_REQUIRE_MESSAGE(load.status == 0, load.err);
  BOOST_TEST(contains(load.out, "Application protocol: h2"), load.out);
  BOOST_TEST(contains(load.out, "2000 succeeded, 0 failed, 0 errored"), load.out);

  BOOST_TEST(proxy->stat(listenerSsl("handshake")).value_or(0) == 4u);  // 2 curl + 2 h2load
  BOOST_TEST(proxy->stat(listenerSsl("connection_error")).value_or(99) == 0u);
  BOOST_TEST(proxy->stat("listener.ingress.downstream_rq_2xx").value_or(0) == 2004u);
}

// The target URI of a request that arrived over TLS has the scheme "https" (RFC 9112 section
// 3.3 for HTTP/1.1; HTTP/2 clients send it as :scheme), and that is what filters must see.
BOOST_AUTO_TEST_CASE(filters_see_the_https_scheme_over_tls) {
  TlsSetup setup;
  HttpBootstrap spec;
  spec.filters = {{"describe", plugin("describe_request"), ""}};
  auto proxy = setup.startProxy({.certificates = {setup.localhost}}, spec);
  const std::string authority = "localhost:" + std::to_string(proxy->port());

  ProgramRun h2 = curlTls(setup, proxy->port(), "/headers");
  BOOST_REQUIRE_MESSAGE(h2.status == 0, h2.err);
  BOOST_TEST(contains(h2.out, "x-weft-saw: GET https " + authority + " /headers HTTP/2\n"), h2.out);

  ProgramRun h1 = curlTls(setup, proxy->port(), "/headers", {"--http1.1"});
  BOOST_REQUIRE_MESSAGE(h1.status == 0, h1.err);
  BOOST_TEST(contains(h1.out, "x-weft-saw: GET https " + authority + " /headers HTTP/1.1\n"),
             h1.out);

  auto plain = get(proxy->port(), "/headers");
  BOOST_REQUIRE(plain);
  BOOST_TEST(echoedHeader(*plain, "x-weft-saw").value_or("") ==
             "GET http localhost /headers HTTP/1.1");
}

BOOST_AUTO_TEST_CASE(sni_picks_among_ecdsa_and_rsa_certificates) {
  TlsSetup setup;
  testing::CertFiles a = setup.issue("a.test");  // ECDSA P-256, the default certificate
  testing::CertFiles b = setup.issue("b.test", {}, testing::KeyType::kRsa2048);
  auto proxy = setup.startProxy({.certificates = {a, b}});
  const uint16_t port = proxy->port();

  // curl checks the name against the certificate's SANs: success means the right one was served.
  for (const std::string host : {"a.test", "b.test"}) {
    ProgramRun result = curlTls(setup, port, "/", {}, host);
    BOOST_TEST_CONTEXT(host) {
      BOOST_REQUIRE_MESSAGE(result.status == 0, result.err);
      BOOST_TEST(result.out.starts_with("HTTP/2 200"), result.out);
    }
  }

  ProgramRun ecdsa = sClient(port, {"-servername", "a.test", "-CAfile", setup.ca()});
  BOOST_TEST(servedCommonName(ecdsa) == "a.test", ecdsa.out);
  BOOST_TEST(contains(ecdsa.out, "Server public key is 256 bit"), ecdsa.out);
  BOOST_TEST(contains(ecdsa.out, "Verify return code: 0 (ok)"), ecdsa.out);

  ProgramRun rsa = sClient(port, {"-servername", "b.test", "-CAfile", setup.ca()});
  BOOST_TEST(servedCommonName(rsa) == "b.test", rsa.out);
  BOOST_TEST(contains(rsa.out, "Server public key is 2048 bit"), rsa.out);
  BOOST_TEST(contains(rsa.out, "Verify return code: 0 (ok)"), rsa.out);

  // RSA over TLS 1.2 too (an ECDHE-RSA suite).
  ProgramRun rsa12 = sClient(port, {"-servername", "b.test", "-tls1_2"});
  BOOST_TEST(contains(rsa12.out, "New, TLSv1.2, Cipher is ECDHE-RSA-"), rsa12.out);

  // No SNI, or a name no certificate carries: the first certificate.
  BOOST_TEST(servedCommonName(sClient(port, {"-noservername"})) == "a.test");
  BOOST_TEST(servedCommonName(sClient(port, {"-servername", "c.test"})) == "a.test");
}

BOOST_AUTO_TEST_CASE(tls12_is_the_minimum_and_tls13_preferred) {
  TlsSetup setup;
  auto proxy = setup.startProxy({.certificates = {setup.localhost}});
  const uint16_t port = proxy->port();

  ProgramRun preferred = sClient(port);
  BOOST_REQUIRE_MESSAGE(preferred.status == 0, preferred.out + preferred.err);
  BOOST_TEST(contains(preferred.out, "New, TLSv1.3, Cipher is TLS_"), preferred.out);

  ProgramRun tls12 = sClient(port, {"-tls1_2"});
  BOOST_REQUIRE_MESSAGE(tls12.status == 0, tls12.out + tls12.err);
  BOOST_TEST(contains(tls12.out, "New, TLSv1.2, Cipher is ECDHE-ECDSA-"), tls12.out);

  // TLS 1.1 (security level 0, so this client is willing to offer it): the proxy refuses it.
  ProgramRun tls11 = sClient(port, {"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"});
  BOOST_TEST(tls11.status != 0, tls11.out);
  BOOST_TEST(!contains(tls11.out, "New, TLSv1.1"), tls11.out);
  BOOST_TEST(contains(tls11.err, "alert protocol version"), tls11.err);
  BOOST_TEST(proxy->stat(listenerSsl("connection_error")).value_or(0) == 1u);
  BOOST_TEST(proxy->stat(listenerSsl("handshake")).value_or(0) == 2u);
}

BOOST_AUTO_TEST_CASE(mutual_tls_hands_the_client_identity_to_filters) {
  TlsSetup setup;
  const std::string client_id = testing::spiffeId("default", "client");
  testing::CertFiles client = setup.pki.ca.issue(
      {.common_name = "client", .uris = {client_id}, .key_type = testing::KeyType::kRsa2048},
      "client");
  HttpBootstrap spec;
  spec.filters = {{"peer", plugin("peer_identity"), ""}};
  auto proxy = setup.startProxy({.certificates = {setup.localhost},
                                 .client_ca = setup.ca(),
                                 .require_client_certificate = true},
                                spec);
  const uint16_t port = proxy->port();

  for (const std::string version : {"--http2", "--http1.1"}) {
    ProgramRun result =
        curlTls(setup, port, "/headers",
                {version, "--cert", client.certificate_chain, "--key", client.private_key});
    BOOST_TEST_CONTEXT(version) {
      BOOST_REQUIRE_MESSAGE(result.status == 0, result.err);
      BOOST_TEST(contains(result.out, " 200"), result.out);
      BOOST_TEST(
          contains(result.out, "x-weft-peer: " + client_id + "|CN=client,O=Weft Test|localhost"),
          result.out);
    }
  }
  BOOST_TEST(proxy->stat(listenerSsl("handshake")).value_or(0) == 2u);
  BOOST_TEST(proxy->stat(listenerSsl("no_certificate")).value_or(99) == 0u);
}

BOOST_AUTO_TEST_CASE(mutual_tls_hands_the_client_identity_to_lua) {
  TlsSetup setup;
  const std::string client_id = testing::spiffeId("default", "client");
  testing::CertFiles client =
      setup.pki.ca.issue({.common_name = "client", .uris = {client_id}}, "client");
  LuaSpec spec{inlineSource(R"(
    function on_request(h)
      local ssl = h:connection():ssl()
      h:headers():add("x-lua-peer", ssl and table.concat({ssl:uriSanPeerCertificate()[1],
        ssl:subjectPeerCertificate(), tostring(ssl:peerCertificatePresented())}, "|") or "none")
      h:headers():add("x-lua-sni", tostring(h:streamInfo():requestedServerName()))
    end)")};
  Proxy proxy(withListenerTls(luaBootstrap(setup.upstream.port(), spec),
                              {.certificates = {setup.localhost}, .client_ca = setup.ca()}));
  ProgramRun with_cert = curlTls(setup, proxy.port(), "/headers",
                                 {"--cert", client.certificate_chain, "--key", client.private_key});
  BOOST_REQUIRE_MESSAGE(with_cert.status == 0, with_cert.err);
  BOOST_TEST(contains(with_cert.out, "x-lua-peer: " + client_id + "|CN=client,O=Weft Test|true"),
             with_cert.out);
  BOOST_TEST(contains(with_cert.out, "x-lua-sni: localhost"), with_cert.out);
  ProgramRun without = curlTls(setup, proxy.port(), "/headers");  // the CA is optional here
  BOOST_REQUIRE_MESSAGE(without.status == 0, without.err);
  BOOST_TEST(contains(without.out, "x-lua-peer: none"), without.out);
}

BOOST_AUTO_TEST_CASE(mutual_tls_refuses_foreign_or_missing_client_certificates) {
  TlsSetup setup;
  testing::CertFiles foreign = setup.pki.other_ca.issue(
      {.common_name = "intruder", .uris = {testing::spiffeId("default", "intruder")}}, "intruder");
  auto proxy = setup.startProxy({.certificates = {setup.localhost},
                                 .client_ca = setup.ca(),
                                 .require_client_certificate = true});
  const uint16_t port = proxy->port();

  ProgramRun wrong_ca = curlTls(
      setup, port, "/headers", {"--cert", foreign.certificate_chain, "--key", foreign.private_key});
  BOOST_TEST(wrong_ca.status != 0, wrong_ca.out);
  BOOST_TEST(!contains(wrong_ca.out, "HTTP/"), wrong_ca.out);
  BOOST_TEST(proxy->stat(listenerSsl("fail_verify_error")).value_or(0) == 1u);

  ProgramRun no_cert = curlTls(setup, port, "/headers");
  BOOST_TEST(no_cert.status != 0, no_cert.out);
  BOOST_TEST(!contains(no_cert.out, "HTTP/"), no_cert.out);
  BOOST_TEST(proxy->stat(listenerSsl("fail_verify_no_cert")).value_or(0) == 1u);

  BOOST_TEST(proxy->stat(listenerSsl("handshake")).value_or(99) == 0u);
  BOOST_TEST(proxy->stat("listener.ingress.downstream_rq_total").value_or(99) == 0u);
  // The proxy keeps serving.
  ProgramRun server_only = sClient(port, {"-CAfile", setup.ca()});
  BOOST_TEST(contains(server_only.out, "Verify return code: 0 (ok)"), server_only.out);
}

// require_client_certificate promises to "refuse clients that send none"; a plaintext request on
// the same port sends none either, so it must not reach the upstream.
BOOST_AUTO_TEST_CASE(plaintext_is_refused_where_client_certificates_are_required) {
  TlsSetup setup;
  auto proxy = setup.startProxy({.certificates = {setup.localhost},
                                 .client_ca = setup.ca(),
                                 .require_client_certificate = true});
  auto plain = get(proxy->port(), "/headers");
  BOOST_TEST((!plain || plain->status >= 400), "plaintext served: " << (plain ? plain->status : 0));
  BOOST_TEST(proxy->statSum(kUpstreamRequestsStat) == 0u);
}

BOOST_AUTO_TEST_CASE(sessions_resume_by_ticket_and_by_session_cache) {
  TlsSetup setup;
  auto proxy = setup.startProxy({.certificates = {setup.localhost}});
  const uint16_t port = proxy->port();

  const std::vector<std::pair<std::string, std::string>> variants = {
      {"-tls1_3", "TLSv1.3"},              // TLS 1.3 ticket, sent after the handshake
      {"-tls1_2", "TLSv1.2"},              // TLS 1.2 ticket
      {"-tls1_2 -no_ticket", "TLSv1.2"}};  // TLS 1.2 session id, from the server's cache
  uint64_t reused = 0;
  for (const auto& [options, version] : variants) {
    BOOST_TEST_CONTEXT(options) {
      const std::string session = setup.pki.dir.file("session.pem");
      ProgramRun first = sClientRequest(port, options + " -sess_out " + session);
      BOOST_REQUIRE_MESSAGE(first.status == 0, first.out + first.err);
      BOOST_TEST(contains(first.out, "New, " + version), first.out);
      BOOST_TEST(contains(first.out, "HTTP/1.1 200"), first.out);

      ProgramRun second = sClientRequest(port, options + " -sess_in " + session);
      BOOST_REQUIRE_MESSAGE(second.status == 0, second.out + second.err);
      BOOST_TEST(contains(second.out, "Reused, " + version), second.out);
      BOOST_TEST(contains(second.out, "HTTP/1.1 200"), second.out);
      ++reused;
      BOOST_TEST(proxy->stat(listenerSsl("session_reused")).value_or(0) == reused);
    }
  }
  BOOST_TEST(proxy->stat(listenerSsl("handshake")).value_or(0) == 2 * variants.size());
}

BOOST_AUTO_TEST_CASE(certificate_reload_under_load_fails_no_request) {
  TlsSetup setup;
  auto proxy = setup.startProxy({.certificates = {setup.localhost}});
  const uint16_t port = proxy->port();
  BOOST_REQUIRE_EQUAL(servedCommonName(sClient(port)), "localhost");

  // One connection opened before the reload and used after it: 8 requests at 2 per second (curl
  // keeps its connection for serial transfers; -w prints whether each one made a new one).
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  std::vector<std::string> transfers = {"-w", "%{num_connects} %{http_code}\n", "--rate", "2/s"};
  for (int i = 0; i < 7; ++i) transfers.insert(transfers.end(), {"-o", "/dev/null", url});
  transfers.insert(transfers.end(), {"-o", "/dev/null"});  // for the 8th: the URL curlArgs adds
  ChildProcess keepalive(curlArgs(setup, port, "/", transfers));
  // New connections all along: 80 of them, 2 every 100ms, 10 requests each.
  ChildProcess load({kH2load, "-n", "800", "-c", "80", "-m", "2", "-r", "2", "--rate-period",
                     "100ms", "https://127.0.0.1:" + std::to_string(port) + "/"});
  BOOST_REQUIRE(eventually([&] { return proxy->stat(listenerSsl("handshake")).value_or(0) >= 4; }));

  // Same paths, new certificate and key, each file replaced by a rename.
  setup.pki.ca.issue({.common_name = "localhost-renewed", .dns_names = {"localhost"}}, "localhost");
  BOOST_TEST(eventually([&] { return servedCommonName(sClient(port)) == "localhost-renewed"; }));
  BOOST_TEST(keepalive.running(), "the kept-alive connection ended before the reload");
  BOOST_TEST(load.running(), "h2load ended before the reload");

  ProgramRun kept = finished(keepalive);
  BOOST_REQUIRE_MESSAGE(kept.status == 0, kept.err);
  BOOST_TEST(kept.out == "1 200\n0 200\n0 200\n0 200\n0 200\n0 200\n0 200\n0 200\n");
  ProgramRun loaded = finished(load);
  BOOST_REQUIRE_MESSAGE(loaded.status == 0, loaded.err);
  BOOST_TEST(contains(loaded.out, "800 succeeded, 0 failed, 0 errored"), loaded.out);

  // The renewed certificate verifies like the old one did.
  ProgramRun after = curlTls(setup, port, "/");
  BOOST_TEST(after.out.starts_with("HTTP/2 200"), after.out + after.err);
  BOOST_TEST(contains(proxy->process().stderrText() + proxy->process().stdoutText(),
                      "certificates reloaded"));
  BOOST_TEST(proxy->stat(listenerSsl("connection_error")).value_or(99) == 0u);
}

BOOST_AUTO_TEST_CASE(clusters_originate_tls_over_http1_and_http2) {
  TlsSetup setup;
  // The origin: a second proxy terminating TLS (client certificates asked for, not required) in
  // front of weft-test-upstream, showing what it learnt of each connection.
  const std::string origin_id = testing::spiffeId("default", "origin");
  const std::string mesh_id = testing::spiffeId("default", "mesh");
  testing::CertFiles origin_cert = setup.issue("origin.test", {origin_id});
  testing::CertFiles mesh_cert =
      setup.pki.ca.issue({.common_name = "mesh", .uris = {mesh_id}}, "mesh");
  HttpBootstrap origin_spec;
  origin_spec.filters = {{"peer", plugin("peer_identity"), ""},
                         {"describe", plugin("describe_request"), ""}};
  auto origin =
      setup.startProxy({.certificates = {origin_cert}, .client_ca = setup.ca()}, origin_spec);

  // The proxy under test: plaintext downstream, one TLS cluster per way of reaching the origin.
  // "h1" takes a new connection for every request, so later ones resume the first's session.
  struct OriginCluster {
    std::string name, protocol, tls, extra;
  };
  const std::string verified = "ca: " + setup.ca() + ", sni: origin.test, " +
                               "verify_subject_alt_names: [\"" + origin_id + "\"]";
  const std::string client_cert = ", certificate_chain: " + mesh_cert.certificate_chain +
                                  ", private_key: " + mesh_cert.private_key;
  HttpBootstrap spec;
  for (const OriginCluster& cluster :
       {OriginCluster{"h1", "http1", verified, "    max_requests_per_connection: 1\n"},
        OriginCluster{"h2", "http2", verified, ""},
        OriginCluster{"mtls", "http1", verified + client_cert, ""}}) {
    spec.extra_routes += "          - match: { prefix: /" + cluster.name + "/ }\n" +
                         "            cluster: " + cluster.name + "\n" +
                         "            prefix_rewrite: /\n";
    spec.extra_clusters +=
        "  - name: " + cluster.name + "\n" + "    protocol: " + cluster.protocol + "\n" +
        cluster.extra +
        "    endpoints: [ { address: 127.0.0.1, port: " + std::to_string(origin->port()) +
        " } ]\n" + "    tls: { " + cluster.tls + " }\n";
  }
  spec.upstream_port = setup.upstream.port();
  Proxy proxy(httpBootstrapYaml(spec));

  auto h1 = get(proxy.port(), "/h1/headers");
  BOOST_REQUIRE(h1);
  BOOST_TEST(h1->status == 200, h1->body);
  BOOST_TEST(echoedHeader(*h1, "x-weft-saw").value_or("").ends_with(" /headers HTTP/1.1"),
             h1->body);
  BOOST_TEST(echoedHeader(*h1, "x-weft-peer").value_or("") == "-|-|origin.test");
  BOOST_TEST(echoedHeader(*h1, "x-forwarded-proto").value_or("") == "https");

  auto h2 = get(proxy.port(), "/h2/headers");
  BOOST_REQUIRE(h2);
  BOOST_TEST(h2->status == 200, h2->body);
  BOOST_TEST(echoedHeader(*h2, "x-weft-saw").value_or("").ends_with(" /headers HTTP/2"), h2->body);
  BOOST_TEST(echoedHeader(*h2, "x-weft-peer").value_or("") == "-|-|origin.test");

  auto mtls = get(proxy.port(), "/mtls/headers");
  BOOST_REQUIRE(mtls);
  BOOST_TEST(mtls->status == 200, mtls->body);
  BOOST_TEST(echoedHeader(*mtls, "x-weft-peer").value_or("") ==
             mesh_id + "|CN=mesh,O=Weft Test|origin.test");

  // Two more requests through "h1": two more connections, both resuming (the TLS 1.3 ticket
  // arrives with the first response); "h2" multiplexes onto the connection it has.
  for (int i = 0; i < 2; ++i) {
    auto again = get(proxy.port(), "/h1/");
    BOOST_TEST((again && again->status == 200));
  }
  auto h2_again = get(proxy.port(), "/h2/");
  BOOST_TEST((h2_again && h2_again->status == 200));
  BOOST_TEST(proxy.stat(clusterSsl("h1", "handshake")).value_or(0) == 3u);
  BOOST_TEST(proxy.stat(clusterSsl("h1", "session_reused")).value_or(0) == 2u);
  BOOST_TEST(origin->stat(listenerSsl("session_reused")).value_or(0) >= 2u);
  BOOST_TEST(proxy.stat(clusterSsl("h2", "handshake")).value_or(0) >= 1u);  // one per worker used
  BOOST_TEST(proxy.stat(clusterSsl("mtls", "handshake")).value_or(0) == 1u);
  for (const std::string cluster : {"h1", "h2", "mtls"}) {
    BOOST_TEST(proxy.stat(clusterSsl(cluster, "connection_error")).value_or(99) == 0u, cluster);
  }
}

BOOST_AUTO_TEST_CASE(clusters_refuse_an_origin_with_the_wrong_ca_or_san) {
  TlsSetup setup;
  testing::CertFiles origin_cert =
      setup.issue("origin.test", {testing::spiffeId("default", "origin")});
  auto origin = setup.startProxy({.certificates = {origin_cert}});

  HttpBootstrap spec;
  const std::vector<std::pair<std::string, std::string>> clusters = {
      {"wrong_ca", "ca: " + setup.pki.other_ca.certificatePath()},
      {"wrong_san", "ca: " + setup.ca() + ", verify_subject_alt_names: [\"" +
                        testing::spiffeId("default", "someone-else") + "\"]"}};
  for (const auto& [cluster, tls] : clusters) {
    spec.extra_routes += "          - match: { prefix: /" + cluster + "/ }\n" +
                         "            cluster: " + cluster + "\n";
    spec.extra_clusters +=
        "  - name: " + cluster + "\n" +
        "    endpoints: [ { address: 127.0.0.1, port: " + std::to_string(origin->port()) +
        " } ]\n" + "    tls: { " + tls + " }\n";
  }
  spec.upstream_port = setup.upstream.port();
  Proxy proxy(httpBootstrapYaml(spec));

  auto wrong_ca = get(proxy.port(), "/wrong_ca/");
  BOOST_REQUIRE(wrong_ca);
  BOOST_TEST(wrong_ca->status == 503);
  BOOST_TEST(proxy.stat(clusterSsl("wrong_ca", "fail_verify_error")).value_or(0) >= 1u);
  BOOST_TEST(proxy.stat(clusterSsl("wrong_ca", "handshake")).value_or(99) == 0u);

  auto wrong_san = get(proxy.port(), "/wrong_san/");
  BOOST_REQUIRE(wrong_san);
  BOOST_TEST(wrong_san->status == 503);
  BOOST_TEST(proxy.stat(clusterSsl("wrong_san", "fail_verify_san")).value_or(0) >= 1u);
  BOOST_TEST(proxy.stat(clusterSsl("wrong_san", "handshake")).value_or(99) == 0u);

  BOOST_TEST(origin->stat("listener.ingress.downstream_rq_total").value_or(99) == 0u);
  BOOST_TEST(get(proxy.port(), "/")->status == 200);  // the plaintext cluster still works
}

BOOST_AUTO_TEST_CASE(broken_handshakes_are_refused_and_counted) {
  TlsSetup setup;
  auto proxy = setup.startProxy({.certificates = {setup.localhost}});
  const uint16_t port = proxy->port();

  // A handshake record header framing garbage: a fatal alert (unexpected_message), then close.
  auto framed = HttpConnection::open(port);
  BOOST_REQUIRE(framed);
  BOOST_REQUIRE(framed->send("\x16\x03\x01\x00\x10garbage garbage!"sv));
  std::string alert;
  BOOST_REQUIRE_MESSAGE(framed->readExactly(7, &alert), framed->lastError());
  BOOST_TEST((alert == "\x15\x03\x03\x00\x02\x02\x0a"sv));
  BOOST_TEST(framed->waitForClose());

  // 0x16 and then no TLS at all: closed (OpenSSL sends no alert to what does not look like TLS).
  auto garbage = HttpConnection::open(port);
  BOOST_REQUIRE(garbage);
  BOOST_REQUIRE(garbage->send("\x16this is not a TLS record\r\n\r\n"));
  BOOST_TEST(garbage->waitForClose());
  BOOST_TEST(eventually([&] { return proxy->stat(listenerSsl("connection_error")) == 2u; }));

  // ALPN offered with nothing in common: refused with no_application_protocol.
  ProgramRun foo = sClient(port, {"-alpn", "foo"});
  BOOST_TEST(foo.status != 0, foo.out);
  BOOST_TEST(contains(foo.err, "no application protocol"), foo.err);
  BOOST_TEST(proxy->stat(listenerSsl("no_common_alpn")).value_or(0) == 1u);
  BOOST_TEST(proxy->stat(listenerSsl("connection_error")).value_or(0) == 3u);

  // The proxy keeps serving.
  ProgramRun after = curlTls(setup, port, "/");
  BOOST_TEST(after.out.starts_with("HTTP/2 200"), after.out + after.err);
  BOOST_TEST(proxy->stat(listenerSsl("handshake")).value_or(0) == 1u);
}

BOOST_AUTO_TEST_CASE(stalled_handshake_is_closed_by_the_header_timeout) {
  TlsSetup setup;
  HttpBootstrap spec;
  spec.limits_yaml = "header_timeout: 300ms";
  auto proxy = setup.startProxy({.certificates = {setup.localhost}}, spec);

  // The first bytes of a ClientHello record (TLS 1.0 record layer, 512 bytes announced), then
  // nothing more.
  auto stalled = HttpConnection::open(proxy->port());
  BOOST_REQUIRE(stalled);
  const auto start = std::chrono::steady_clock::now();
  BOOST_REQUIRE(stalled->send("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"sv));
  BOOST_TEST(stalled->waitForClose(milliseconds(3000)));
  const auto waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST(waited >= milliseconds(250));
  BOOST_TEST(proxy->stat("listener.ingress.downstream_rq_header_timeout").value_or(0) == 1u);
  BOOST_TEST(proxy->stat(listenerSsl("handshake")).value_or(99) == 0u);

  ProgramRun after = curlTls(setup, proxy->port(), "/");
  BOOST_TEST(after.out.starts_with("HTTP/2 200"), after.out + after.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
