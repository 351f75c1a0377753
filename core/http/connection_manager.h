// ConnectionManager: one downstream HTTP connection. Owns the socket (a network::Connection), the
// codec and the stream in progress; enforces the listener's connection-level limits (header
// timeout, idle timeout, requests per connection) and applies backpressure by pausing reads.
//
// WorkerContext is what a connection needs from the worker it lives on. Worker-local throughout.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <random>
#include <string_view>

#include "core/event/event_loop.h"
#include "core/http/http1_server_codec.h"
#include "core/network/address.h"
#include "core/network/connection.h"
#include "core/server/snapshot.h"
#include "core/upstream/conn_pool.h"

namespace weft::http {

class HttpStream;
class ConnectionManager;

// A worker's open HTTP connections; each connection knows its own place in the list.
using ConnectionList = std::list<std::unique_ptr<ConnectionManager>>;

class WorkerContext {
 public:
  virtual ~WorkerContext() = default;
  virtual event_base* base() = 0;
  virtual event::DeferredDeleter& deleter() = 0;
  virtual const server::SnapshotPtr& snapshot() = 0;
  // The worker's pool for `cluster` in `snapshot`, or nullptr when the cluster does not exist.
  virtual upstream::ConnPool* pool(const server::ConfigSnapshot& snapshot,
                                   std::string_view cluster) = 0;
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

class ConnectionManager : public ServerCodecCallbacks,
                          public network::ConnectionCallbacks,
                          public event::Deletable {
 public:
  // `listener` belongs to the worker's current snapshot, which the connection holds (acquire)
  // for as long as it lives.
  ConnectionManager(WorkerContext& worker, const server::ListenerSnapshot& listener,
                    evutil_socket_t fd, const network::Address& peer);
  ~ConnectionManager() override;

  // Stop / resume reading from the client (backpressure).
  void readDisable(bool disable);
  // Drain: the current response (if any) is the last on this connection.
  void drain();

  WorkerContext& worker() { return worker_; }
  const server::ListenerSnapshot& listener() const { return *listener_; }
  const std::string& remoteAddress() const { return remote_; }
  // The client's IP without the port (a view into remoteAddress()).
  std::string_view remoteIp() const;
  // The address the client connected to, asked of the kernel (only logs and filters need it).
  std::string localAddress() const;
  Protocol protocol() const { return protocol_; }
  // Where the worker keeps this connection (set once by the worker, used to remove it).
  ConnectionList::iterator position;

  // Called by the stream when the response it wrote waits on the socket; resumes it on drain.
  void watchDownstreamDrain() {
    watch_drain_ = true;
    connection_.watchDrain();
  }
  // Parses buffered input again soon (after an upgrade turned the codec into a tunnel).
  void kick() {
    dispatch_pending_ = true;
    timer_.arm(0);
  }
  // Closes the connection (and resets its stream) once the current callback has returned: a
  // filter asked for it from inside one of its hooks.
  void resetSoon() {
    reset_pending_ = true;
    timer_.arm(0);
  }

  // ServerCodecCallbacks
  RequestDecoder& newStream(ResponseEncoder& encoder, const http1::RequestHead& head) override;
  void onParseError(http1::ParseError error) override;
  void onStreamComplete() override;

  // network::ConnectionCallbacks
  void onReadable() override { dispatch(); }
  void onRemoteClose() override;
  void onConnectionError() override { closeNow(); }
  void onWriteDrained() override;

 private:
  void onTimer();
  void dispatch();
  void closeNow();
  // Closes once every queued byte reached the socket.
  void closeWhenFlushed();
  void armIdleOrHeaderTimer();

  WorkerContext& worker_;
  const server::ConfigSnapshot& snapshot_;  // the one the connection was accepted on
  const server::ListenerSnapshot* listener_;
  network::Connection connection_;
  Http1ServerCodec codec_;
  std::unique_ptr<HttpStream> stream_;
  // One timer, three jobs (one event per connection keeps idle connections small): the header
  // timeout while a head arrives, the idle timeout between requests, and — armed at 0 ms — the
  // deferred parse of a pipelined request.
  event::Timer timer_;
  bool dispatch_pending_ = false;
  bool reset_pending_ = false;
  bool header_timer_ = false;  // the timer counts the header timeout (else the idle timeout)
  std::string remote_;
  Protocol protocol_ = Protocol::kHttp11;
  uint32_t requests_ = 0;
  bool read_disabled_ = false;
  bool watch_drain_ = false;
  bool closed_ = false;
  bool closing_ = false;
  bool in_dispatch_ = false;
};

}  // namespace weft::http
