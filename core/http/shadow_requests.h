// ShadowRequests: one worker's request mirrors in flight (Envoy's shadowing, a route's
// request_mirror_policies). A mirror is a copy of a finished request — headers with "-shadow"
// appended to :authority, body, trailers — sent to another cluster and forgotten: its response is
// read and dropped, its failure only counted by that cluster. It is owned here, not by the stream
// it copies, so it lives on after that stream ends, and it never holds the primary request up.
// Worker-local.
#pragma once

#include <memory>

#include "core/common/owned_list.h"
#include "core/event/event_loop.h"
#include "core/http/header_map.h"
#include "core/upstream/upstream_request.h"

namespace weft::http {

class ShadowRequests {
 public:
  explicit ShadowRequests(event::DeferredDeleter& deleter);
  ~ShadowRequests();  // resets what is still in flight

  // Sends a copy to `cluster`. `body` may be null; `trailers` may be empty.
  void send(upstream::WorkerCluster& cluster, HeaderMap headers, event::EvbufferPtr body,
            HeaderMap trailers);
  size_t inFlight() const { return shadows_.size(); }

 private:
  class Shadow;
  void finished(Shadow& shadow);

  event::DeferredDeleter& deleter_;
  OwnedList<Shadow> shadows_;
};

}  // namespace weft::http
