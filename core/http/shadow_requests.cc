// ShadowRequests: see shadow_requests.h.
#include "core/http/shadow_requests.h"

#include <utility>

namespace weft::http {

// One mirror: the copied request and its upstream half; the response is drained as it comes.
class ShadowRequests::Shadow : public upstream::UpstreamRequestCallbacks,
                               public event::Deletable,
                               public OwnedListLinks<Shadow> {
 public:
  Shadow(ShadowRequests& owner, HeaderMap headers, event::EvbufferPtr body, HeaderMap trailers)
      : owner_(owner),
        headers_(std::move(headers)),
        body_(std::move(body)),
        trailers_(std::move(trailers)) {}

  void start(upstream::WorkerCluster& cluster) {
    upstream_ = std::make_unique<upstream::UpstreamRequest>(cluster, *this, headers_);
    const bool has_body = body_ && evbuffer_get_length(body_.get()) > 0;
    const bool headers_only = !has_body && trailers_.empty();
    upstream_->start(headers_only, upstream::LbContext{});
    if (done_ || headers_only) return;
    if (has_body) upstream_->sendData(body_.get(), trailers_.empty());
    if (!done_ && !trailers_.empty()) upstream_->sendTrailers(trailers_);
  }

  void upstream100Continue() override {}
  void upstreamHeaders(HeaderMap&&, bool end_stream) override {
    if (end_stream) finish();
  }
  void upstreamData(evbuffer* data, bool end_stream) override {
    evbuffer_drain(data, evbuffer_get_length(data));
    if (end_stream) finish();
  }
  void upstreamTrailers(HeaderMap&&) override { finish(); }
  void upstreamFailed(upstream::PoolClient::Failure, bool, bool) override { finish(); }
  void upstreamWritable() override {}

 private:
  void finish() {
    if (done_) return;
    done_ = true;
    owner_.finished(*this);
  }

  ShadowRequests& owner_;
  HeaderMap headers_;
  event::EvbufferPtr body_;
  HeaderMap trailers_;
  std::unique_ptr<upstream::UpstreamRequest> upstream_;
  bool done_ = false;
};

ShadowRequests::ShadowRequests(event::DeferredDeleter& deleter) : deleter_(deleter) {}

ShadowRequests::~ShadowRequests() = default;

void ShadowRequests::send(upstream::WorkerCluster& cluster, HeaderMap headers,
                          event::EvbufferPtr body, HeaderMap trailers) {
  if (const std::string* authority = headers.get(":authority")) {
    headers.set(":authority", *authority + "-shadow");
  }
  shadows_
      .pushBack(
          std::make_unique<Shadow>(*this, std::move(headers), std::move(body), std::move(trailers)))
      .start(cluster);
}

void ShadowRequests::finished(Shadow& shadow) {
  // Freed after the current event: this runs inside the shadow's own callbacks.
  deleter_.add(shadows_.remove(shadow));
}

}  // namespace weft::http
