// FilterManager: see filter_manager.h.
#include "core/http/filter_manager.h"

#include <algorithm>
#include <string>

#include "core/common/logging.h"

namespace weft::http {

// Sets who is calling the host for the length of one hook or callback, and restores the outer
// caller after: a callback that resumes a direction runs other filters' hooks inside it.
class FilterManager::CallerScope {
 public:
  CallerScope(FilterManager& manager, size_t slot, bool callback)
      : manager_(manager), outer_(manager.caller_) {
    manager.caller_ = {slot, callback};
  }
  ~CallerScope() { manager_.caller_ = outer_; }
  CallerScope(const CallerScope&) = delete;
  CallerScope& operator=(const CallerScope&) = delete;

 private:
  FilterManager& manager_;
  Caller outer_;
};

FilterManager::FilterManager(FilterManagerCallbacks& owner, weft_stream_host* handle,
                             event_base* base, const std::vector<plugins::FilterInstancePtr>& chain,
                             uint32_t worker_index, weft_worker_host* worker, Limits limits)
    : owner_(owner), handle_(handle), base_(base), limits_(limits) {
  request_.request = true;
  response_.request = false;
  slots_.reserve(chain.size());
  for (const auto& instance : chain) {
    Slot slot{instance, nullptr};
    const weft_filter_module& m = instance->module();
    if (m.stream_new) {
      void* worker_state = instance->workerState(worker_index, worker);
      slot.ctx = m.stream_new(instance->moduleConfig(), worker_state, handle_);
    }
    slots_.push_back(std::move(slot));
  }
}

FilterManager::~FilterManager() {
  timers_.clear();
  for (auto& slot : slots_) {
    const weft_filter_module& m = slot.instance->module();
    if (m.stream_destroy && slot.ctx) m.stream_destroy(slot.ctx);
  }
}

size_t FilterManager::slotAt(const Direction& d, size_t position) const {
  return d.request ? position : slots_.size() - 1 - position;
}

weft_status FilterManager::checked(size_t slot, int status) {
  if (status >= WEFT_CONTINUE && status <= WEFT_STOP_AND_BUFFER) {
    return static_cast<weft_status>(status);
  }
  const auto& instance = *slots_[slot].instance;
  log::error("filter '" + instance.name() + "' returned invalid status " + std::to_string(status));
  if (instance.failOpen()) return WEFT_CONTINUE;
  aborted_ = true;
  owner_.filterFailed(instance.name(), "invalid filter status");
  return WEFT_STOP_ITERATION;
}

weft_status FilterManager::callHeaders(Direction& d, size_t position, bool end_stream) {
  size_t s = slotAt(d, position);
  const weft_filter_module& m = slots_[s].instance->module();
  auto hook = d.request ? m.on_request_headers : m.on_response_headers;
  if (!hook) return WEFT_CONTINUE;
  CallerScope caller(*this, s, false);
  return checked(s, hook(slots_[s].ctx, handle_, end_stream));
}

weft_status FilterManager::callBody(Direction& d, size_t position, evbuffer* body,
                                    bool end_stream) {
  size_t s = slotAt(d, position);
  const weft_filter_module& m = slots_[s].instance->module();
  auto hook = d.request ? m.on_request_body : m.on_response_body;
  if (!hook) return WEFT_CONTINUE;
  CallerScope caller(*this, s, false);
  d.current_body = body;
  int status = hook(slots_[s].ctx, handle_, end_stream);
  d.current_body = nullptr;
  return checked(s, status);
}

weft_status FilterManager::callTrailers(Direction& d, size_t position) {
  size_t s = slotAt(d, position);
  const weft_filter_module& m = slots_[s].instance->module();
  auto hook = d.request ? m.on_request_trailers : m.on_response_trailers;
  if (!hook) return WEFT_CONTINUE;
  CallerScope caller(*this, s, false);
  return checked(s, hook(slots_[s].ctx, handle_));
}

evbuffer* FilterManager::currentBody(bool request) const {
  return request ? request_.current_body : response_.current_body;
}

void FilterManager::requestHeaders(bool end_stream) {
  request_.headers_end = end_stream;
  run(request_);
}

void FilterManager::responseHeaders(bool end_stream) {
  response_.headers_end = end_stream;
  run(response_);
}

void FilterManager::requestData(evbuffer* data, bool end_stream) {
  onData(request_, data, end_stream);
}
void FilterManager::responseData(evbuffer* data, bool end_stream) {
  onData(response_, data, end_stream);
}

void FilterManager::requestTrailers() {
  request_.trailers = true;
  if (request_.buffering) return checkBuffering(request_);
  run(request_);
}

void FilterManager::responseTrailers() {
  response_.trailers = true;
  if (response_.buffering) return checkBuffering(response_);
  run(response_);
}

void FilterManager::onData(Direction& d, evbuffer* data, bool end_stream) {
  if (aborted_) return;
  bool idle_pipeline = !d.stopped && d.phase == Direction::Phase::kBody && !d.item_active &&
                       d.body_start == 0 && !d.queued_end && !d.trailers &&
                       (!d.queued || evbuffer_get_length(d.queued.get()) == 0);
  if (idle_pipeline) {
    passInPlace(d, data, end_stream);
    return;
  }
  if (!d.queued) d.queued = event::newBuffer();
  evbuffer_add_buffer(d.queued.get(), data);
  d.queued_end = d.queued_end || end_stream;
  if (d.buffering) return checkBuffering(d);
  if (d.stopped) return updateWatermark(d);
  run(d);
}

void FilterManager::passInPlace(Direction& d, evbuffer* data, bool end_stream) {
  // Nothing is held: the piece passes every filter in the caller's buffer, without a copy.
  const size_t n = slots_.size();
  for (size_t position = 0; position < n; ++position) {
    weft_status status = callBody(d, position, data, end_stream);
    if (aborted_) return;
    if (status == WEFT_CONTINUE) continue;
    // Held by this filter: keep the piece here until it resumes.
    if (!d.item) d.item = event::newBuffer();
    evbuffer_add_buffer(d.item.get(), data);
    d.item_active = true;
    d.item_end = end_stream;
    d.cursor = position + 1;
    d.stopped = true;
    updateWatermark(d);
    return;
  }
  if (end_stream) d.phase = Direction::Phase::kDone;
  if (d.request) {
    owner_.requestDataDone(data, end_stream);
  } else {
    owner_.responseDataDone(data, end_stream);
  }
}

void FilterManager::updateWatermark(Direction& d) {
  size_t held = (d.queued ? evbuffer_get_length(d.queued.get()) : 0) +
                (d.item ? evbuffer_get_length(d.item.get()) : 0);
  // A buffering direction must keep reading to the end; its limit is max_buffered_body.
  bool above = d.stopped && !d.buffering && held > limits_.high_watermark;
  if (above != d.above_watermark) {
    d.above_watermark = above;
    owner_.heldBodyAboveWatermark(d.request, above);
  }
}

void FilterManager::checkBuffering(Direction& d) {
  if (d.queued && evbuffer_get_length(d.queued.get()) > limits_.max_buffered_body) {
    aborted_ = true;
    owner_.bufferLimitExceeded(d.request);
    return;
  }
  if (d.queued_end || d.trailers) finishBuffering(d);
}

void FilterManager::finishBuffering(Direction& d) {
  // The filter that asked for the whole body sees it now, once, with end_stream.
  d.buffering = false;
  if (!d.queued) d.queued = event::newBuffer();  // a body of no bytes
  weft_status status = callBody(d, d.buffer_filter, d.queued.get(), !d.trailers);
  if (aborted_) return;
  d.body_start = d.buffer_filter + 1;   // it has seen this body, whatever it answered
  if (status != WEFT_CONTINUE) return;  // still stopped; the filter resumes later
  d.stopped = false;
  run(d);
}

int FilterManager::continueRequest() { return resume(request_); }
int FilterManager::continueResponse() { return resume(response_); }

int FilterManager::resume(Direction& d) {
  if (aborted_) return WEFT_ERR_WRONG_PHASE;
  if (!d.stopped) return WEFT_ERR_WRONG_PHASE;
  d.stopped = false;
  d.buffering = false;
  updateWatermark(d);
  run(d);
  return WEFT_OK;
}

void FilterManager::run(Direction& d) {
  const size_t n = slots_.size();
  while (!d.stopped && !aborted_) {
    switch (d.phase) {
      case Direction::Phase::kHeaders: {
        while (d.cursor < n) {
          weft_status status = callHeaders(d, d.cursor, d.headers_end);
          if (aborted_) return;
          ++d.cursor;
          if (status == WEFT_CONTINUE) continue;
          d.stopped = true;
          if (status == WEFT_STOP_AND_BUFFER && !d.headers_end) {
            d.buffering = true;
            d.buffer_filter = d.cursor - 1;
            checkBuffering(d);
          }
          return;
        }
        d.phase = d.headers_end ? Direction::Phase::kDone : Direction::Phase::kBody;
        d.cursor = 0;
        if (d.request) {
          owner_.requestHeadersDone(d.headers_end);
        } else {
          owner_.responseHeadersDone(d.headers_end);
        }
        break;
      }
      case Direction::Phase::kBody: {
        if (!d.item_active) {
          bool has_data = d.queued && evbuffer_get_length(d.queued.get()) > 0;
          if (!has_data && !d.queued_end) {
            if (d.trailers) d.phase = Direction::Phase::kTrailers;
            if (!d.trailers) return;  // wait for more body
            break;
          }
          if (!d.item) d.item = event::newBuffer();
          if (has_data) evbuffer_add_buffer(d.item.get(), d.queued.get());
          d.item_end = d.queued_end;
          d.queued_end = false;
          d.item_active = true;
          d.cursor = d.body_start;
          d.body_start = 0;
        }
        bool end = d.item_end && !d.trailers;
        while (d.cursor < n) {
          weft_status status = callBody(d, d.cursor, d.item.get(), end);
          if (aborted_) return;
          ++d.cursor;
          if (status != WEFT_CONTINUE) {
            d.stopped = true;
            updateWatermark(d);
            return;
          }
        }
        d.item_active = false;
        d.cursor = 0;
        if (end) d.phase = Direction::Phase::kDone;
        if (d.item_end && d.trailers) d.phase = Direction::Phase::kTrailers;
        if (d.request) {
          owner_.requestDataDone(d.item.get(), end);
        } else {
          owner_.responseDataDone(d.item.get(), end);
        }
        break;
      }
      case Direction::Phase::kTrailers: {
        while (d.cursor < n) {
          weft_status status = callTrailers(d, d.cursor);
          if (aborted_) return;
          ++d.cursor;
          if (status != WEFT_CONTINUE) {
            d.stopped = true;
            return;
          }
        }
        d.phase = Direction::Phase::kDone;
        if (d.request) {
          owner_.requestTrailersDone();
        } else {
          owner_.responseTrailersDone();
        }
        break;
      }
      case Direction::Phase::kDone:
        return;
    }
  }
}

void FilterManager::complete() {
  if (completed_) return;
  completed_ = true;
  timers_.clear();
  callouts_.clear();
  for (auto& slot : slots_) {
    const weft_filter_module& m = slot.instance->module();
    if (m.on_stream_complete) m.on_stream_complete(slot.ctx, handle_);
  }
}

int64_t FilterManager::timerStart(uint64_t delay_ms) {
  if (completed_) return WEFT_ERR_WRONG_PHASE;
  int64_t token = next_token_++;
  PendingTimer& pending = timers_.emplace_back(PendingTimer{this, token, caller_.slot, nullptr});
  pending.timer = std::make_unique<event::Timer>(base_, &FilterManager::onTimerFired, &pending);
  pending.timer->arm(delay_ms);
  return token;
}

void FilterManager::onTimerFired(void* context) {
  auto* pending = static_cast<PendingTimer*>(context);
  FilterManager& self = *pending->owner;
  int64_t token = pending->token;
  size_t slot = pending->slot;
  for (auto it = self.timers_.begin(); it != self.timers_.end(); ++it) {
    if (&*it != pending) continue;
    // Keep the Timer alive until its callback returns; drop the entry now.
    auto fired = std::move(it->timer);
    self.timers_.erase(it);
    const weft_filter_module& m = self.slots_[slot].instance->module();
    if (m.on_timer) {
      self.runCallback(slot, [&] { m.on_timer(self.slots_[slot].ctx, self.handle_, token); });
    }
    return;
  }
}

int FilterManager::timerCancel(int64_t token) {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->token == token) {
      timers_.erase(it);
      return WEFT_OK;
    }
  }
  return WEFT_ERR_NOT_FOUND;
}

int64_t FilterManager::calloutToken() {
  if (completed_) return WEFT_ERR_WRONG_PHASE;
  int64_t token = next_token_++;
  callouts_.emplace_back(token, caller_.slot);
  return token;
}

void FilterManager::calloutForget(int64_t token) {
  std::erase_if(callouts_, [token](const auto& c) { return c.first == token; });
}

void FilterManager::calloutDone(int64_t token, const weft_http_call_result& result) {
  auto it = std::find_if(callouts_.begin(), callouts_.end(),
                         [token](const auto& c) { return c.first == token; });
  if (it == callouts_.end()) return;
  size_t slot = it->second;
  callouts_.erase(it);
  const weft_filter_module& m = slots_[slot].instance->module();
  if (!WEFT_HOST_HAS(&m, on_http_call_done) || m.on_http_call_done == nullptr) return;
  runCallback(slot, [&] { m.on_http_call_done(slots_[slot].ctx, handle_, token, &result); });
}

template <typename Call>
void FilterManager::runCallback(size_t slot, Call&& call) {
  {
    CallerScope caller(*this, slot, true);
    call();
  }
  for (Direction* d : {&request_, &response_}) {
    if (!d->settle_buffering) continue;
    d->settle_buffering = false;
    // Unless the callback went on to resume, reply or fail, the buffering it began starts now.
    if (!aborted_ && d->buffering) checkBuffering(*d);
  }
}

bool FilterManager::heldBy(const Direction& d, size_t slot) const {
  return d.stopped && d.cursor > 0 && slotAt(d, d.cursor - 1) == slot;
}

int FilterManager::bufferHeldBody(bool request) {
  Direction& d = request ? request_ : response_;
  const bool held_headers = d.phase == Direction::Phase::kHeaders && !d.headers_end &&
                            !d.buffering && heldBy(d, caller_.slot);
  if (!caller_.callback || aborted_ || !held_headers) return WEFT_ERR_WRONG_PHASE;
  d.buffering = true;
  d.buffer_filter = d.cursor - 1;
  d.settle_buffering = true;
  updateWatermark(d);  // reading resumes if the hold had paused it
  return WEFT_OK;
}

int FilterManager::failFromCallback(std::string_view reason) {
  if (!caller_.callback || aborted_) return WEFT_ERR_WRONG_PHASE;
  const plugins::FilterInstance& instance = *slots_[caller_.slot].instance;
  if (!instance.failOpen()) {
    aborted_ = true;
    owner_.filterFailed(instance.name(), reason);
    return WEFT_OK;
  }
  for (Direction* d : {&request_, &response_}) {
    if (heldBy(*d, caller_.slot)) resume(*d);
  }
  return WEFT_OK;
}

}  // namespace weft::http
