// ConnectionManager: one downstream HTTP connection. Owns the socket (a network::Connection), the
// codec — HTTP/1.1 or HTTP/2, told apart by the first bytes — and the streams in progress;
// enforces the listener's connection-level limits (header timeout, idle timeout, requests per
// connection).
//
// WorkerContext is what a connection needs from the worker it lives on. Worker-local throughout.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string_view>

#include "core/common/owned_list.h"
#include "core/event/event_loop.h"
#include "core/http/codec.h"
#include "core/http/http1_server_codec.h"
#include "core/http/shadow_requests.h"
#include "core/network/address.h"
#include "core/network/connection.h"
#include "core/server/snapshot.h"
#include "core/upstream/worker_cluster.h"

namespace weft::http {

class HttpStream;
class ConnectionManager;

// A worker's open HTTP connections.
using ConnectionList = OwnedList<ConnectionManager>;

class WorkerContext {
 public:
  virtual ~WorkerContext() = default;
  virtual event_base* base() = 0;
  virtual event::DeferredDeleter& deleter() = 0;
  virtual const server::SnapshotPtr& snapshot() = 0;
  // The worker's view of `cluster` in `snapshot` (balancer, pool), or nullptr when the cluster
  // does not exist.
  virtual upstream::WorkerCluster* cluster(const server::ConfigSnapshot& snapshot,
                                           std::string_view cluster) = 0;
  // The worker's request mirrors in flight.
  virtual ShadowRequests& shadows() = 0;
  virtual uint32_t index() const = 0;
  virtual weft_worker_host* hostWorker() = 0;
  virtual std::mt19937_64& random() = 0;
  virtual bool draining() const = 0;
  virtual void connectionClosed(ConnectionManager& connection) = 0;
  // A stream or connection starts / stops using `snapshot` on this worker. A replaced snapshot
  // is let go (its filters' worker state stopped on this thread, the snapshot itself released on
  // the main thread) once nothing on the worker uses it.
  virtual void acquire(const server::ConfigSnapshot& snapshot) = 0;
  virtual void release(const server::ConfigSnapshot& snapshot) = 0;
};

class ConnectionManager : public Http1ServerCallbacks,
                          public network::ConnectionCallbacks,
                          public event::Deletable,
                          public OwnedListLinks<ConnectionManager> {
 public:
  // `listener` belongs to the worker's current snapshot, which the connection holds (acquire)
  // for as long as it lives.
  ConnectionManager(WorkerContext& worker, const server::ListenerSnapshot& listener,
                    evutil_socket_t fd, const network::Address& peer);
  ~ConnectionManager() override;

  // Drain: no new requests (HTTP/1: the current response is the last; HTTP/2: GOAWAY).
  void drain();
  // The worker switched to a new config snapshot.
  void onConfigReplaced();

  WorkerContext& worker() { return worker_; }
  const server::ListenerSnapshot& listener() const { return *listener_; }
  const std::string& remoteAddress() const { return remote_; }
  // The client's IP without the port (a view into remoteAddress()).
  std::string_view remoteIp() const;
  // The address the client connected to, asked of the kernel on first use and kept: every stream
  // that logs it or hands it to a filter would otherwise cost a getsockname.
  const std::string& localAddress() const;
  // The TLS facts of the connection (peer identity, SNI, ALPN); null for plaintext.
  const tls::TlsInfo* tlsInfo() const { return connection_.tlsInfo(); }

  // Parses buffered input again soon (after an upgrade turned the codec into a tunnel).
  void kick() {
    dispatch_pending_ = true;
    timer_.arm(0);
  }

  // ServerCodecCallbacks
  RequestDecoder& newStream(ResponseEncoder& encoder, const StreamStart& start) override;
  void onStreamComplete(RequestDecoder& decoder) override;
  void onStreamReset(RequestDecoder& decoder) override;
  void closeSoon() override {
    reset_pending_ = true;
    timer_.arm(0);
  }
  // Http1ServerCallbacks
  void onParseError(http1::ParseError error) override;

  // network::ConnectionCallbacks
  void onReadable() override { dispatch(); }
  void onRemoteClose() override;
  void onConnectionError() override { closeNow(); }
  void onWriteDrained() override;
  void onTlsHandshakeDone() override;

 private:
  // Picks the transport and codec from the first bytes: a TLS ClientHello starts TLS (on a TLS
  // listener); then ALPN "h2", or the HTTP/2 connection preface, picks HTTP/2, anything else
  // HTTP/1. False while it cannot tell yet.
  bool detectProtocol();
  std::unique_ptr<ServerCodec> makeHttp2Codec();
  void onTimer();
  void dispatch();
  // After the codec did something: close if it is finished, else keep the right timer running.
  void afterCodec();
  // Removes a finished stream (freed once the current event is over).
  void retire(HttpStream& stream);
  void closeNow();
  // Closes once every queued byte reached the socket.
  void closeWhenFlushed();
  void armIdleOrHeaderTimer();

  WorkerContext& worker_;
  const server::ConfigSnapshot& snapshot_;  // the one the connection was accepted on
  const server::ListenerSnapshot* listener_;
  network::Connection connection_;
  std::unique_ptr<ServerCodec> codec_;  // made once the first bytes tell the protocol
  OwnedList<HttpStream> streams_;       // HTTP/1: at most one; HTTP/2: the open streams
  // One timer, three jobs (one event per connection keeps idle connections small): the header
  // timeout while a head arrives, the idle timeout between requests, and — armed at 0 ms — the
  // deferred parse of a pipelined request or a close requested from inside a callback.
  event::Timer timer_;
  bool dispatch_pending_ = false;
  bool reset_pending_ = false;
  bool header_timer_ = false;  // the timer counts the header timeout (else the idle timeout)
  std::string remote_;
  mutable std::unique_ptr<const std::string> local_address_;  // localAddress(), once asked
  uint32_t requests_ = 0;
  bool closed_ = false;
  bool closing_ = false;
  bool in_dispatch_ = false;
  bool transport_known_ = false;  // TLS or plaintext was decided from the first byte
};

}  // namespace weft::http
