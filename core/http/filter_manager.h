// FilterManager: runs one stream's filter chain through the C ABI, in both directions.
//
// Request hooks run in chain order, response hooks in reverse order (the filter nearest the
// upstream sees the response first). Each direction is a pipeline of items — headers, body
// pieces, trailers — that pass the filters one at a time:
//   - WEFT_CONTINUE passes the item to the next filter, and after the last one to the owner
//     (toward the upstream for requests, toward the client for responses);
//   - WEFT_STOP_ITERATION holds the item at that filter; items arriving meanwhile queue behind it
//     without running any hook, and flow from the first filter once the filter resumes
//     (continue_request / continue_response), where the held item goes on from the next filter;
//   - WEFT_STOP_AND_BUFFER (headers only) holds the headers and collects the whole body; the
//     filter's body hook then sees it once with end_stream = true, and what it returns decides;
//   - a local reply stops both directions for good.
// Queued bytes beyond the buffer limit end the stream: 413 for a request body being buffered, and
// the owner pauses reading while a stopped (not buffering) direction holds more than the high
// watermark.
//
// A filter that holds a direction finishes its work in a callback (on_timer, on_http_call_done):
// there it may resume, turn its hold into whole-body buffering (bufferHeldBody; the body hook runs
// once the callback has returned), or fail (failFromCallback: fail-open resumes what it holds,
// otherwise the owner answers 500).
//
// Worker-local, like the stream that owns it.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string_view>
#include <vector>

#include "core/event/event_loop.h"
#include "plugins/host/filter_instance.h"
#include "weft/filter_abi.h"

namespace weft::http {

// What the manager needs from the stream that owns it.
class FilterManagerCallbacks {
 public:
  virtual ~FilterManagerCallbacks() = default;
  // An item passed every filter.
  virtual void requestHeadersDone(bool end_stream) = 0;
  virtual void requestDataDone(evbuffer* data, bool end_stream) = 0;
  virtual void requestTrailersDone() = 0;
  virtual void responseHeadersDone(bool end_stream) = 0;
  virtual void responseDataDone(evbuffer* data, bool end_stream) = 0;
  virtual void responseTrailersDone() = 0;
  // A filter failed (bad status) and is not fail-open: answer 500.
  virtual void filterFailed(const std::string& filter, std::string_view why) = 0;
  // Body held by filters (per direction) crossed the high watermark up or back down.
  virtual void heldBodyAboveWatermark(bool request, bool above) = 0;
  // Too much body to buffer: 413 (request) or 500 (response).
  virtual void bufferLimitExceeded(bool request) = 0;
};

class FilterManager {
 public:
  struct Limits {
    size_t max_buffered_body = 1 << 20;
    size_t high_watermark = 1 << 20;
  };

  FilterManager(FilterManagerCallbacks& owner, weft_stream_host* handle, event_base* base,
                const std::vector<plugins::FilterInstancePtr>& chain, uint32_t worker_index,
                weft_worker_host* worker, Limits limits);
  ~FilterManager();  // destroys the module contexts; complete() must have run

  void requestHeaders(bool end_stream);
  void requestData(evbuffer* data, bool end_stream);
  void requestTrailers();
  void responseHeaders(bool end_stream);
  void responseData(evbuffer* data, bool end_stream);
  void responseTrailers();

  int continueRequest();
  int continueResponse();
  // From the current filter's callback (stream_buffer_body / stream_fail in weft/filter_abi.h).
  int bufferHeldBody(bool request);
  int failFromCallback(std::string_view reason);
  // Stops all iteration (a local reply was sent, or the stream was reset).
  void abort() { aborted_ = true; }
  // Runs every filter's on_stream_complete hook, once.
  void complete();

  // The body the current body hook may read and change, or nullptr outside one.
  evbuffer* currentBody(bool request) const;

  int64_t timerStart(uint64_t delay_ms);
  int timerCancel(int64_t token);

  // HTTP calls (http_call): a new token owned by the filter whose hook is running now; when the
  // call ends, calloutDone runs that filter's on_http_call_done. Tokens die with the stream.
  int64_t calloutToken();
  void calloutDone(int64_t token, const weft_http_call_result& result);
  void calloutForget(int64_t token);

 private:
  struct Direction {
    bool request = true;
    enum class Phase { kHeaders, kBody, kTrailers, kDone } phase = Phase::kHeaders;
    size_t cursor = 0;  // position (in this direction's order) of the next filter to run
    bool stopped = false;
    bool buffering = false;
    size_t buffer_filter = 0;  // position of the filter that asked for the whole body
    size_t body_start = 0;     // where the next body item starts (after a buffered body)
    bool headers_end = false;
    bool trailers = false;    // trailers arrived and wait behind the body
    event::EvbufferPtr item;  // the body piece now passing the filters
    bool item_active = false;
    bool item_end = false;
    event::EvbufferPtr queued;  // body that arrived while the pipeline was held
    bool queued_end = false;
    bool above_watermark = false;
    bool settle_buffering = false;  // buffering began in a callback: check it once that returns
    evbuffer* current_body = nullptr;
  };
  struct Slot {
    plugins::FilterInstancePtr instance;
    void* ctx = nullptr;
  };
  struct PendingTimer {
    FilterManager* owner;
    int64_t token;
    size_t slot;  // the filter that started it, whose on_timer hook fires
    std::unique_ptr<event::Timer> timer;
  };
  static void onTimerFired(void* pending);

  void run(Direction& d);
  void onData(Direction& d, evbuffer* data, bool end_stream);
  void passInPlace(Direction& d, evbuffer* data, bool end_stream);
  // A buffering direction got body or its end: past the limit the stream ends, and a complete
  // body goes to the filter that asked for it.
  void checkBuffering(Direction& d);
  void finishBuffering(Direction& d);
  // Runs a filter's callback (on_timer, on_http_call_done) as `slot`, then what it left to do.
  template <typename Call>
  void runCallback(size_t slot, Call&& call);
  // The direction waits at this filter (it holds the item now at the filter).
  bool heldBy(const Direction& d, size_t slot) const;
  int resume(Direction& d);
  // Calls one hook; maps a bad status to failure (or continue, when fail-open).
  weft_status callHeaders(Direction& d, size_t position, bool end_stream);
  weft_status callBody(Direction& d, size_t position, evbuffer* body, bool end_stream);
  weft_status callTrailers(Direction& d, size_t position);
  weft_status checked(size_t slot, int status);
  size_t slotAt(const Direction& d, size_t position) const;
  void updateWatermark(Direction& d);

  FilterManagerCallbacks& owner_;
  weft_stream_host* handle_;
  event_base* base_;
  Limits limits_;
  std::vector<Slot> slots_;
  Direction request_;
  Direction response_;
  bool aborted_ = false;
  bool completed_ = false;
  // The filter whose hook or callback runs now: it owns the timers and calls it starts, and only
  // a callback may buffer a held body or fail (bufferHeldBody, failFromCallback).
  struct Caller {
    size_t slot = 0;
    bool callback = false;
  };
  class CallerScope;
  Caller caller_;
  std::list<PendingTimer> timers_;
  std::vector<std::pair<int64_t, size_t>> callouts_;  // token, slot of the filter that called
  int64_t next_token_ = 1;
};

}  // namespace weft::http
