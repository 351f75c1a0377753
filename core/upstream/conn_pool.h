// ConnPool: one worker's HTTP/1.1 connections to one cluster. Endpoints are chosen round robin;
// idle keep-alive connections are reused before new ones are opened; at max_connections new
// requests wait (up to max_pending_requests, else they fail with overflow). Connections that sit
// idle longer than the cluster's idle_timeout are closed. Worker-local: no locks.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <vector>

#include "core/event/event_loop.h"
#include "core/http/http1_client_codec.h"
#include "core/network/connection.h"
#include "core/upstream/cluster.h"

namespace weft::upstream {

class UpstreamConnection;

// The user of a pooled connection: one stream's upstream request.
class PoolClient {
 public:
  virtual ~PoolClient() = default;
  // A connection is ready for this client's request: encode it through connection.codec().
  virtual void onPoolReady(UpstreamConnection& connection) = 0;
  enum class Failure { kConnectFailure, kConnectTimeout, kOverflow };
  virtual void onPoolFailure(Failure failure) = 0;
  // The connection broke before the response completed.
  virtual void onUpstreamReset() = 0;
  // The connection's output fell below its low watermark: more request body may be sent.
  virtual void onUpstreamWriteDrained() = 0;
};

class ConnPool;

class UpstreamConnection : public http::ClientCodecCallbacks,
                           public network::ConnectionCallbacks,
                           public event::Deletable {
 public:
  UpstreamConnection(ConnPool& pool, size_t endpoint);
  ~UpstreamConnection() override;

  http::Http1ClientCodec& codec() { return codec_; }
  // "ip:port" of the endpoint, for logs and stream info.
  const std::string& addressName() const;
  // Stop / resume reading the response (backpressure from a slow downstream).
  void readDisable(bool disable);
  // The client is done with the connection early (its stream was reset): close it.
  void abandon();

  // ClientCodecCallbacks
  void onResponseComplete() override;
  void onUpstreamProtocolError(http1::ParseError error) override;

  // network::ConnectionCallbacks
  void onReadable() override;
  void onRemoteClose() override;
  void onConnectionError() override;
  void onWriteDrained() override;
  void onConnected() override;

 private:
  friend class ConnPool;
  enum class State { kConnecting, kBusy, kIdle, kClosed };

  // False when the connect attempt failed at once.
  bool connecting() const { return connect_ok_; }
  void attach(PoolClient& client);
  void close();
  void onTimer();  // connect timeout, or idle timeout once pooled

  ConnPool& pool_;
  size_t endpoint_;
  bool connect_ok_ = false;
  network::Connection connection_;  // starts connecting on construction
  http::Http1ClientCodec codec_;
  State state_ = State::kConnecting;
  PoolClient* client_ = nullptr;
  event::Timer timer_;  // connect timeout, then idle timeout
  uint32_t requests_ = 0;
};

class ConnPool {
 public:
  ConnPool(event_base* base, event::DeferredDeleter& deleter, ClusterInfoPtr cluster,
           size_t high_watermark);
  ~ConnPool();

  // Hands `client` a connection now or later (onPoolReady), or fails it (onPoolFailure).
  void newStream(PoolClient& client);
  // Withdraws a client still waiting for a connection.
  void cancel(PoolClient& client);
  // Closes idle connections; busy ones close when their exchange ends. True once nothing is open.
  bool drain();

  const ClusterInfo& cluster() const { return *cluster_; }
  const ClusterInfoPtr& clusterPtr() const { return cluster_; }

 private:
  friend class UpstreamConnection;
  void onConnectionFree(UpstreamConnection& connection);  // reusable and idle now
  void onConnectionClosed(UpstreamConnection& connection);
  void onConnectFailure(UpstreamConnection& connection, PoolClient::Failure failure);
  // An idle connection, preferably to `preferred`, taken off its idle stack; nullptr if none.
  UpstreamConnection* takeIdle(size_t preferred);
  void forgetIdle(UpstreamConnection& connection);

  event_base* base_;
  event::DeferredDeleter& deleter_;
  ClusterInfoPtr cluster_;
  size_t high_watermark_;
  std::list<std::unique_ptr<UpstreamConnection>> connections_;
  std::deque<PoolClient*> pending_;
  std::vector<std::vector<UpstreamConnection*>> idle_;  // per endpoint, most recent last
  size_t next_endpoint_ = 0;
  bool draining_ = false;
};

}  // namespace weft::upstream
