// Session: see tls_session.h.
#include "core/tls/tls_session.h"

#include <openssl/err.h>

#include <algorithm>

#include "core/common/logging.h"
#include "core/tls/evbuffer_bio.h"

namespace weft::tls {
namespace {

// Plaintext encrypted per encryptNext(): four full records, one writev.
constexpr size_t kEncryptChunk = 64 * 1024;
// A first piece smaller than this (a response head before its body) is coalesced with what
// follows, so it shares a record instead of costing one of its own.
constexpr size_t kSmallPiece = 2048;
constexpr size_t kMaxRecord = 16 * 1024;
constexpr int kMaxPieces = 16;

int sessionIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

Session::Session(SslPtr ssl, Role role, std::shared_ptr<const TlsStats> stats)
    : stats_(std::move(stats)),
      raw_input_(event::newBuffer()),
      raw_output_(event::newBuffer()),
      ssl_(std::move(ssl)),
      role_(role) {
  SSL_set_ex_data(ssl_.get(), sessionIndex(), this);
  // The SSL owns both BIOs from here on.
  SSL_set_bio(ssl_.get(), newEvbufferBio(raw_input_.get()), newEvbufferBio(raw_output_.get()));
  if (role_ == Role::kServer) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
}

Session::~Session() = default;

Session* Session::of(const SSL* ssl) {
  return static_cast<Session*>(SSL_get_ex_data(ssl, sessionIndex()));
}

Session::Handshake Session::handshake() {
  if (failed_) return Handshake::kFailed;
  if (established()) return Handshake::kDone;
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  if (result == 1) {
    complete();
    return Handshake::kDone;
  }
  const int reason = SSL_get_error(ssl_.get(), result);
  if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) return Handshake::kPending;
  fail();
  return Handshake::kFailed;
}

void Session::complete() {
  SSL* ssl = ssl_.get();
  TlsInfo info;
  info.version = SSL_get_version(ssl);
  info.cipher = SSL_get_cipher_name(ssl);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_length = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_length);
  if (alpn != nullptr) info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_length);
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) info.sni = sni;
  info.session_reused = SSL_session_reused(ssl) == 1;
  info.peer = peerIdentity(SSL_get0_peer_certificate(ssl));
  stats_->handshake.inc();
  if (info.session_reused) stats_->session_reused.inc();
  if (role_ == Role::kServer && !info.peer.presented) stats_->no_certificate.inc();
  info_ = std::move(info);
}

void Session::fail() {
  failed_ = true;
  const long verify = SSL_get_verify_result(ssl_.get());
  const int reason = ERR_GET_REASON(ERR_peek_error());
  if (no_common_alpn_) {
    stats_->no_common_alpn.inc();
    stats_->connection_error.inc();
    error_ = "no application protocol in common with the client";
  } else if (verify == X509_V_ERR_APPLICATION_VERIFICATION) {
    stats_->fail_verify_san.inc();
    error_ = "the peer certificate has none of the accepted subject alt names";
  } else if (verify != X509_V_OK) {
    stats_->fail_verify_error.inc();
    error_ =
        std::string("peer certificate verify failed: ") + X509_verify_cert_error_string(verify);
  } else if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
    stats_->fail_verify_no_cert.inc();
    error_ = "the client sent no certificate";
  } else {
    stats_->connection_error.inc();
  }
  // Always take the queue, so nothing is left for the next connection on this worker.
  const std::string detail = takeOpenSslError("connection failed");
  if (error_.empty()) error_ = detail;
  log::debug("tls: " + error_);
}

void Session::abortHandshake(std::string reason) {
  if (failed_ || established()) return;
  failed_ = true;
  stats_->connection_error.inc();
  error_ = std::move(reason);
}

Session::Read Session::decrypt(evbuffer* plain, size_t max) {
  if (failed_) return Read::kFailed;
  size_t added = 0;
  while (added < max) {
    evbuffer_iovec space;
    const size_t want = std::min(max - added, kMaxRecord);
    if (evbuffer_reserve_space(plain, static_cast<ev_ssize_t>(want), &space, 1) != 1) {
      return Read::kFull;  // out of memory: try again later
    }
    ERR_clear_error();
    size_t got = 0;
    if (SSL_read_ex(ssl_.get(), space.iov_base, std::min(want, space.iov_len), &got) == 1) {
      space.iov_len = got;
      evbuffer_commit_space(plain, &space, 1);
      added += got;
      continue;
    }
    switch (SSL_get_error(ssl_.get(), 0)) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE:
        return Read::kNeedInput;
      case SSL_ERROR_ZERO_RETURN:
        return Read::kClosed;
      default:
        fail();
        return Read::kFailed;
    }
  }
  return Read::kFull;
}

bool Session::hasBufferedInput() const {
  return evbuffer_get_length(raw_input_.get()) > 0 || SSL_pending(ssl_.get()) > 0;
}

bool Session::encryptNext(evbuffer* plain) {
  if (in_flight_ > 0) {
    evbuffer_drain(plain, in_flight_);
    in_flight_ = 0;
  }
  if (!established() || failed_) return !failed_;
  const size_t total = std::min(evbuffer_get_length(plain), kEncryptChunk);
  if (total == 0) return true;
  evbuffer_iovec pieces[kMaxPieces];
  if (evbuffer_peek(plain, static_cast<ev_ssize_t>(total), nullptr, pieces, 1) > 1 &&
      pieces[0].iov_len < kSmallPiece) {
    evbuffer_pullup(plain, static_cast<ev_ssize_t>(std::min(total, kMaxRecord)));
  }
  const int count =
      std::min(evbuffer_peek(plain, static_cast<ev_ssize_t>(total), nullptr, pieces, kMaxPieces),
               kMaxPieces);
  for (int i = 0; i < count && in_flight_ < total; ++i) {
    const size_t length = std::min(pieces[i].iov_len, total - in_flight_);
    size_t written = 0;
    ERR_clear_error();
    // The write BIO never refuses bytes, so SSL_write_ex takes all of them or fails for good.
    if (SSL_write_ex(ssl_.get(), pieces[i].iov_base, length, &written) != 1) {
      fail();
      return false;
    }
    in_flight_ += written;
  }
  return true;
}

void Session::closeNotify() {
  if (!established() || failed_ || shut_down_) return;
  shut_down_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

}  // namespace weft::tls
