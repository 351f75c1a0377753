// ServerContext: the TLS settings of one listener (tls_options.h: ServerOptions) turned into
// OpenSSL contexts, and the sessions made from them for accepted connections.
//
//   - SNI picks among several certificates; ALPN follows the server's order of preference.
//   - Resumption: stateless session tickets (TLS 1.3 and 1.2) under keys made once per
//     ServerContext, so tickets stay valid across reloads; plus the server session cache for
//     TLS 1.2 clients without tickets (that cache starts empty after a reload).
//   - Reload: reload() re-reads every file and swaps a new generation of contexts in for new
//     connections; open connections keep the SSL (and generation) they started with. A failed
//     reload changes nothing and says which file failed and why.
//
// Threads: create(), reload() and filesChanged() on the main thread; newSession() on any worker,
// concurrently with a reload (the current generation is an atomic shared pointer: no lock).
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "core/common/status.h"
#include "core/stats/stats.h"
#include "core/tls/file_stamp.h"
#include "core/tls/tls_options.h"
#include "core/tls/tls_session.h"

namespace weft::tls {

class ServerContext {
 public:
  // Loads every file in `options`; an error names the file and the reason. Counters go to
  // `store` under `tags` (e.g. {{"listener", "ingress"}}); the store outlives the context and
  // every session made from it.
  static Result<std::unique_ptr<ServerContext>> create(ServerOptions options, stats::Store& store,
                                                       const stats::Tags& tags);
  ~ServerContext();

  // A session for a newly accepted connection, from the current generation; null only when
  // OpenSSL cannot allocate.
  SessionPtr newSession() const;

  // Re-reads the certificates, keys and client CA. On success new connections use them; on
  // failure the old ones stay and the error names the file.
  Status reload();
  // Whether any file changed (stat: inode, size, mtime) since the last reload() attempt or
  // creation; cheap enough to poll every few seconds.
  bool filesChanged() const;

  const ServerOptions& options() const { return options_; }

 private:
  struct Generation;
  using TicketKeys = std::array<unsigned char, 80>;  // name, HMAC key, AES key

  ServerContext(ServerOptions options, std::shared_ptr<const TlsStats> stats);
  // A complete generation from the files as they are now; `stamps` gets their state beforehand.
  Result<std::shared_ptr<const Generation>> load(std::vector<FileStamp>& stamps) const;
  Status configure(SSL_CTX* ctx, const CertificateFiles& files, Generation& generation) const;

  ServerOptions options_;
  std::shared_ptr<const TlsStats> stats_;
  TicketKeys ticket_keys_{};
  std::atomic<std::shared_ptr<const Generation>> current_;
  std::vector<FileStamp> seen_;  // the files as the last load found them (main thread)
};

using ServerContextPtr = std::unique_ptr<ServerContext>;

}  // namespace weft::tls
