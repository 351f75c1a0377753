// Http2ConnPool: one worker's HTTP/2 connections to one cluster (see conn_pool.h). Requests are
// streams multiplexed over one connection per endpoint; another connection opens only when every
// connection to the endpoint is full (the upstream's SETTINGS_MAX_CONCURRENT_STREAMS, or the
// cluster's max_requests_per_connection reached) and max_connections allows it. While the first
// connection to an endpoint is being set up, requests wait for it instead of opening more.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "core/common/owned_list.h"
#include "core/event/event_loop.h"
#include "core/http/http2_client_codec.h"
#include "core/network/connection.h"
#include "core/upstream/conn_pool.h"

namespace weft::upstream {

class Http2ConnPool;

class Http2UpstreamConnection : public http::Http2ClientCallbacks,
                                public network::ConnectionCallbacks,
                                public event::Deletable,
                                public OwnedListLinks<Http2UpstreamConnection> {
 public:
  Http2UpstreamConnection(Http2ConnPool& pool, size_t endpoint);
  ~Http2UpstreamConnection() override;

  // Connected, and able to open one more stream now.
  bool hasCapacity() const;
  void attach(PoolClient& client);
  void close();

  // Http2ClientCallbacks
  void onStreamFinished() override;
  void onSettings() override;

  // network::ConnectionCallbacks
  void onReadable() override;
  void onRemoteClose() override;
  void onConnectionError() override;
  void onWriteDrained() override;
  void onConnected() override;

 private:
  friend class Http2ConnPool;
  void onTimer();  // connect timeout, or idle timeout once no stream is open

  Http2ConnPool& pool_;
  size_t endpoint_;
  bool connect_ok_ = false;
  network::Connection connection_;               // starts connecting on construction
  std::optional<http::Http2ClientCodec> codec_;  // made once connected
  event::Timer timer_;
  uint32_t streams_total_ = 0;
  bool closed_ = false;
};

class Http2ConnPool : public ConnPool {
 public:
  Http2ConnPool(event_base* base, event::DeferredDeleter& deleter, ClusterInfoPtr cluster,
                size_t high_watermark);
  ~Http2ConnPool() override;

  void newStream(PoolClient& client, size_t endpoint) override;
  void cancel(PoolClient& client) override;
  bool drain() override;

 private:
  friend class Http2UpstreamConnection;
  // Hands waiting clients to connections with room.
  void servePending();
  void onConnectionClosed(Http2UpstreamConnection& connection, bool connect_failed,
                          PoolClient::Failure failure);
  Http2UpstreamConnection* withCapacity(size_t endpoint) const;
  bool connectingTo(size_t endpoint) const;

  event_base* base_;
  event::DeferredDeleter& deleter_;
  size_t high_watermark_;
  OwnedList<Http2UpstreamConnection> connections_;
  std::deque<PoolClient*> pending_;
  bool draining_ = false;
};

}  // namespace weft::upstream
