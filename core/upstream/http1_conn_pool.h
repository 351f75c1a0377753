// Http1ConnPool: one worker's HTTP/1.1 connections to one cluster (see conn_pool.h). Idle
// keep-alive connections wait on per-endpoint stacks and are reused, warmest first, before new
// ones are opened; a connection carries one request at a time and is itself the request's
// stream (Http1UpstreamConnection is the RequestEncoder the client writes to).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/common/owned_list.h"
#include "core/event/event_loop.h"
#include "core/http/http1_client_codec.h"
#include "core/network/connection.h"
#include "core/upstream/conn_pool.h"

namespace weft::upstream {

class Http1ConnPool;

class Http1UpstreamConnection : public http::RequestEncoder,
                                public http::ClientCodecCallbacks,
                                public network::ConnectionCallbacks,
                                public event::Deletable,
                                public OwnedListLinks<Http1UpstreamConnection> {
 public:
  Http1UpstreamConnection(Http1ConnPool& pool, size_t endpoint);
  ~Http1UpstreamConnection() override;

  // RequestEncoder: the attached client's request goes through the codec. resetStream() closes
  // the connection (the client's stream was reset early).
  void encodeHeaders(const http::HeaderMap& headers, bool end_stream) override {
    codec_.encodeHeaders(headers, end_stream);
  }
  void encodeData(evbuffer* data, bool end_stream) override { codec_.encodeData(data, end_stream); }
  void encodeTrailers(const http::HeaderMap& trailers) override { codec_.encodeTrailers(trailers); }
  size_t bufferedBytes() const override { return codec_.bufferedBytes(); }
  void watchDrain() override { codec_.watchDrain(); }
  void readDisable(bool disable) override;
  void resetStream() override;

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
  friend class Http1ConnPool;
  enum class State { kConnecting, kBusy, kIdle, kClosed };

  // False when the connect attempt failed at once.
  bool connecting() const { return connect_ok_; }
  void attach(PoolClient& client);
  void close();
  void onTimer();  // connect timeout, or idle timeout once pooled

  Http1ConnPool& pool_;
  size_t endpoint_;
  bool connect_ok_ = false;
  network::Connection connection_;  // starts connecting on construction
  http::Http1ClientCodec codec_;
  State state_ = State::kConnecting;
  PoolClient* client_ = nullptr;
  event::Timer timer_;  // connect timeout, then idle timeout
  uint32_t requests_ = 0;
};

class Http1ConnPool : public ConnPool {
 public:
  Http1ConnPool(event_base* base, event::DeferredDeleter& deleter, ClusterInfoPtr cluster,
                size_t high_watermark);
  ~Http1ConnPool() override;

  void newStream(PoolClient& client, size_t endpoint) override;
  void cancel(PoolClient& client) override;
  bool drain() override;

 private:
  friend class Http1UpstreamConnection;
  void onConnectionFree(Http1UpstreamConnection& connection);  // reusable and idle now
  void onConnectionClosed(Http1UpstreamConnection& connection);
  void onConnectFailure(Http1UpstreamConnection& connection, PoolClient::Failure failure);
  // An idle connection to `endpoint` (to any endpoint), taken off its idle stack; nullptr if none.
  Http1UpstreamConnection* takeIdle(size_t endpoint);
  Http1UpstreamConnection* takeAnyIdle();
  void forgetIdle(Http1UpstreamConnection& connection);

  event_base* base_;
  event::DeferredDeleter& deleter_;
  size_t high_watermark_;
  OwnedList<Http1UpstreamConnection> connections_;
  std::deque<PoolClient*> pending_;
  std::vector<std::vector<Http1UpstreamConnection*>> idle_;  // per endpoint, most recent last
  bool draining_ = false;
};

}  // namespace weft::upstream
