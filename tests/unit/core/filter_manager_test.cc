// FilterManager: how items (headers, body pieces, trailers) pass a chain of real ABI modules —
// order in each direction, holding and resuming, queueing behind a held item, whole-body
// buffering and its limit, and what an invalid status does (fail closed or open).
//
// The modules are tiny C tables defined here; each records its calls into a shared log and reads
// its behaviour from a per-test script. The stream handle they get is a real HostStream whose body
// comes from the manager, so host_api.cc's body calls run for real.
#include "core/http/filter_manager.h"

#include <boost/test/unit_test.hpp>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/event/event_loop.h"
#include "core/stats/stats.h"
#include "plugins/host/filter_instance.h"
#include "plugins/host/host_stream.h"
#include "plugins/host/module_registry.h"

namespace weft::http {
namespace {

const weft_host_api* g_host = nullptr;
std::vector<std::string> g_log;               // "<filter>:<hook>[:<bytes>]"
std::map<std::string, weft_status> g_script;  // "<filter>:<hook>" -> status to return
std::map<std::string, int> g_bad_status;      // "<filter>:<hook>" -> invalid status
// "<filter>:<hook>" -> what the hook does through the host before it returns
std::map<std::string, std::function<void(weft_stream_host*)>> g_action;

// Module contexts carry the filter's name (its config JSON is just the name, quoted).
struct Ctx {
  std::string name;
};

int status(const Ctx& ctx, weft_stream_host* stream, const char* hook, size_t bytes = SIZE_MAX) {
  std::string key = ctx.name + ":" + hook;
  g_log.push_back(bytes == SIZE_MAX ? key : key + ":" + std::to_string(bytes));
  if (auto action = g_action.find(key); action != g_action.end()) action->second(stream);
  if (auto bad = g_bad_status.find(key); bad != g_bad_status.end()) return bad->second;
  auto scripted = g_script.find(key);
  return scripted == g_script.end() ? WEFT_CONTINUE : scripted->second;
}

size_t bodyBytes(weft_stream_host* stream, weft_body which) {
  return g_host->body_length(stream, which);
}

const weft_filter_module* recorderInit(const weft_host_api* host) {
  g_host = host;
  static const weft_filter_module table = [] {
    weft_filter_module t{};
    t.struct_size = sizeof(t);
    t.abi_major = WEFT_ABI_MAJOR;
    t.abi_minor = WEFT_ABI_MINOR;
    t.name = "recorder";
    t.version = "1";
    t.config_new = [](weft_config_host*, weft_str json, void** out, char*, size_t) {
      *out = new Ctx{std::string(json.ptr + 1, json.len - 2)};
      return 0;
    };
    t.config_destroy = [](void* c) { delete static_cast<Ctx*>(c); };
    t.stream_new = [](void* config, void*, weft_stream_host*) -> void* { return config; };
    t.on_request_headers = [](void* c, weft_stream_host* s, bool) {
      return static_cast<weft_status>(status(*static_cast<Ctx*>(c), s, "req_headers"));
    };
    t.on_request_body = [](void* c, weft_stream_host* s, bool) {
      return static_cast<weft_status>(
          status(*static_cast<Ctx*>(c), s, "req_body", bodyBytes(s, WEFT_BODY_REQUEST)));
    };
    t.on_request_trailers = [](void* c, weft_stream_host* s) {
      return static_cast<weft_status>(status(*static_cast<Ctx*>(c), s, "req_trailers"));
    };
    t.on_response_headers = [](void* c, weft_stream_host* s, bool) {
      return static_cast<weft_status>(status(*static_cast<Ctx*>(c), s, "resp_headers"));
    };
    t.on_timer = [](void* c, weft_stream_host* s, int64_t) {
      status(*static_cast<Ctx*>(c), s, "timer");
    };
    return t;
  }();
  return &table;
}

// The stream the modules see: only its body is real (from the manager).
class BodyOnlyStream : public plugins::HostStream {
 public:
  FilterManager* manager = nullptr;
  HeaderMap* headerMap(weft_map) override { return nullptr; }
  evbuffer* body(weft_body which) override {
    return manager->currentBody(which == WEFT_BODY_REQUEST);
  }
  int sendLocalReply(uint32_t, std::string_view, const weft_header*, size_t,
                     std::string_view) override {
    return WEFT_ERR_WRONG_PHASE;
  }
  int continueRequest() override { return manager->continueRequest(); }
  int continueResponse() override { return manager->continueResponse(); }
  int bufferHeldBody(bool request) override { return manager->bufferHeldBody(request); }
  int failFromCallback(std::string_view reason) override {
    return manager->failFromCallback(reason);
  }
  int reset() override { return WEFT_ERR_WRONG_PHASE; }
  int64_t timerStart(uint64_t ms) override { return manager->timerStart(ms); }
  int timerCancel(int64_t token) override { return manager->timerCancel(token); }
  int setUpstreamCluster(std::string_view) override { return WEFT_OK; }
  int setRouteName(std::string_view) override { return WEFT_OK; }
  bool clusterExists(std::string_view) override { return false; }
  bool infoString(weft_info_str, std::string_view&) override { return false; }
  bool infoNumber(weft_info_u64, uint64_t&) override { return false; }
  int metadataSet(std::string_view, std::string_view) override { return WEFT_OK; }
  bool metadataGet(std::string_view, std::string_view&) override { return false; }
  weft_worker_host* worker() override { return nullptr; }
};

// Records what left the chain toward the upstream / the client.
struct Owner : FilterManagerCallbacks {
  std::vector<std::string> out;
  void requestHeadersDone(bool end) override { out.push_back(end ? "headers:end" : "headers"); }
  void requestDataDone(evbuffer* data, bool end) override {
    size_t n = evbuffer_get_length(data);
    evbuffer_drain(data, n);
    out.push_back("data:" + std::to_string(n) + (end ? ":end" : ""));
  }
  void requestTrailersDone() override { out.push_back("trailers"); }
  void responseHeadersDone(bool) override { out.push_back("resp_headers"); }
  void responseDataDone(evbuffer* data, bool) override { evbuffer_drain(data, SIZE_MAX); }
  void responseTrailersDone() override {}
  void filterFailed(const std::string& filter, std::string_view) override {
    out.push_back("failed:" + filter);
  }
  void heldBodyAboveWatermark(bool, bool above) override {
    out.push_back(above ? "pause" : "resume");
  }
  void bufferLimitExceeded(bool request) override { out.push_back(request ? "413" : "500"); }
};

struct Chain {
  explicit Chain(std::vector<std::string> names, std::vector<bool> fail_open = {},
                 FilterManager::Limits limits = {}) {
    g_log.clear();
    g_script.clear();
    g_bad_status.clear();
    g_action.clear();
    registry.registerBuiltin("recorder", &recorderInit);
    const plugins::LoadedModule& module = **registry.builtin("recorder");
    for (size_t i = 0; i < names.size(); ++i) {
      config::FilterConfig entry;
      entry.name = names[i];
      entry.builtin = "recorder";
      entry.config_json = "\"" + names[i] + "\"";
      entry.fail_open = i < fail_open.size() && fail_open[i];
      filters.push_back(*plugins::FilterInstance::create(module, entry, stats, 1));
    }
    manager = std::make_unique<FilterManager>(owner, stream.handle(), loop.base(), filters, 0,
                                              nullptr, limits);
    stream.manager = manager.get();
  }
  ~Chain() {
    manager->complete();
    manager.reset();
    for (auto& f : filters) f->stopWorker(0);
  }

  // One turn of the loop: the timers that are due fire (a 0 ms timer is due at once).
  void turn() { event_base_loop(loop.base(), EVLOOP_ONCE); }

  // Feeds `n` bytes of request body.
  void body(size_t n, bool end) {
    auto buffer = event::newBuffer();
    std::string bytes(n, 'x');
    evbuffer_add(buffer.get(), bytes.data(), bytes.size());
    manager->requestData(buffer.get(), end);
  }

  stats::Store stats;
  plugins::ModuleRegistry registry;
  event::EventLoop loop;
  std::vector<plugins::FilterInstancePtr> filters;
  BodyOnlyStream stream;
  Owner owner;
  std::unique_ptr<FilterManager> manager;
};

using Log = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(filter_manager)

BOOST_AUTO_TEST_CASE(items_pass_every_filter_in_order_and_responses_in_reverse) {
  Chain chain({"a", "b"});
  chain.manager->requestHeaders(false);
  chain.body(5, true);
  chain.manager->responseHeaders(true);
  BOOST_TEST((g_log == Log{"a:req_headers", "b:req_headers", "a:req_body:5", "b:req_body:5",
                           "b:resp_headers", "a:resp_headers"}));
  BOOST_TEST((chain.owner.out == Log{"headers", "data:5:end", "resp_headers"}));
}

BOOST_AUTO_TEST_CASE(a_held_header_queues_the_body_until_the_filter_resumes) {
  Chain chain({"a", "b"});
  g_script["a:req_headers"] = WEFT_STOP_ITERATION;
  chain.manager->requestHeaders(false);
  chain.body(3, false);
  chain.body(4, true);
  // Nothing ran past the holding filter, and no body hook ran at all while held.
  BOOST_TEST((g_log == Log{"a:req_headers"}));
  BOOST_TEST(chain.owner.out.empty());

  BOOST_TEST(chain.manager->continueRequest() == WEFT_OK);
  BOOST_TEST((g_log == Log{"a:req_headers", "b:req_headers", "a:req_body:7", "b:req_body:7"}));
  BOOST_TEST((chain.owner.out == Log{"headers", "data:7:end"}));
  BOOST_TEST(chain.manager->continueRequest() == WEFT_ERR_WRONG_PHASE);  // nothing held now
}

BOOST_AUTO_TEST_CASE(stop_and_buffer_shows_the_whole_body_once) {
  Chain chain({"a", "b"});
  g_script["a:req_headers"] = WEFT_STOP_AND_BUFFER;
  chain.manager->requestHeaders(false);
  chain.body(10, false);
  chain.body(20, false);
  chain.body(30, true);
  // Filter a saw the 60 bytes in one call; then headers and the body went on past it.
  BOOST_TEST((g_log == Log{"a:req_headers", "a:req_body:60", "b:req_headers", "b:req_body:60"}));
  BOOST_TEST((chain.owner.out == Log{"headers", "data:60:end"}));
}

BOOST_AUTO_TEST_CASE(a_buffered_body_held_again_is_not_shown_twice) {
  Chain chain({"a", "b"});
  g_script["a:req_headers"] = WEFT_STOP_AND_BUFFER;
  g_script["a:req_body"] = WEFT_STOP_ITERATION;  // e.g. a script that waits after body()
  chain.manager->requestHeaders(false);
  chain.body(8, true);
  BOOST_TEST((g_log == Log{"a:req_headers", "a:req_body:8"}));
  BOOST_TEST(chain.manager->continueRequest() == WEFT_OK);
  BOOST_TEST((g_log == Log{"a:req_headers", "a:req_body:8", "b:req_headers", "b:req_body:8"}));
  BOOST_TEST((chain.owner.out == Log{"headers", "data:8:end"}));
}

BOOST_AUTO_TEST_CASE(buffering_beyond_the_limit_is_a_413) {
  FilterManager::Limits limits;
  limits.max_buffered_body = 16;
  Chain chain({"a"}, {}, limits);
  g_script["a:req_headers"] = WEFT_STOP_AND_BUFFER;
  chain.manager->requestHeaders(false);
  chain.body(10, false);
  BOOST_TEST(chain.owner.out.empty());
  chain.body(10, false);
  BOOST_TEST((chain.owner.out == Log{"413"}));
}

BOOST_AUTO_TEST_CASE(a_held_body_pauses_reading_above_the_watermark) {
  FilterManager::Limits limits;
  limits.high_watermark = 8;
  Chain chain({"a"}, {}, limits);
  g_script["a:req_headers"] = WEFT_STOP_ITERATION;
  chain.manager->requestHeaders(false);
  chain.body(6, false);
  BOOST_TEST(chain.owner.out.empty());
  chain.body(6, false);
  BOOST_TEST((chain.owner.out == Log{"pause"}));
  chain.manager->continueRequest();
  BOOST_TEST((chain.owner.out == Log{"pause", "resume", "headers", "data:12"}));
}

BOOST_AUTO_TEST_CASE(an_invalid_status_fails_closed_unless_fail_open) {
  {
    Chain chain({"a", "b"});
    g_bad_status["a:req_headers"] = 3;  // no such status (still a valid enum value)
    chain.manager->requestHeaders(true);
    BOOST_TEST((chain.owner.out == Log{"failed:a"}));
    BOOST_TEST((g_log == Log{"a:req_headers"}));
  }
  {
    Chain chain({"a", "b"}, {true, false});
    g_bad_status["a:req_headers"] = 3;  // no such status (still a valid enum value)
    chain.manager->requestHeaders(true);
    BOOST_TEST((chain.owner.out == Log{"headers:end"}));
    BOOST_TEST((g_log == Log{"a:req_headers", "b:req_headers"}));
  }
}

BOOST_AUTO_TEST_CASE(stop_and_buffer_ends_at_trailers) {
  Chain chain({"a", "b"});
  g_script["a:req_headers"] = WEFT_STOP_AND_BUFFER;
  chain.manager->requestHeaders(false);
  chain.body(10, false);
  BOOST_TEST((g_log == Log{"a:req_headers"}));
  chain.manager->requestTrailers();
  BOOST_TEST((g_log == Log{"a:req_headers", "a:req_body:10", "b:req_headers", "b:req_body:10",
                           "a:req_trailers", "b:req_trailers"}));
  BOOST_TEST((chain.owner.out == Log{"headers", "data:10", "trailers"}));
}

// ---- what a filter may do from a callback (ABI 1.5) -------------------------------------------

namespace {

// Records a host call's return code in the log as "rc:<code>".
void logRc(int rc) { g_log.push_back("rc:" + std::to_string(rc)); }

// Filter `name` holds the request headers and starts a timer that fires on the next loop turn.
void holdAndStartTimer(const std::string& name) {
  g_script[name + ":req_headers"] = WEFT_STOP_ITERATION;
  g_action[name + ":req_headers"] = [](weft_stream_host* s) { g_host->timer_start(s, 0); };
}

// The same, and from the timer the filter asks for the whole request body (stream_buffer_body).
void holdThenBufferFromTimer(const std::string& name) {
  holdAndStartTimer(name);
  g_action[name + ":timer"] = [](weft_stream_host* s) {
    logRc(g_host->stream_buffer_body(s, WEFT_BODY_REQUEST));
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_callback_turns_a_held_body_into_a_buffered_one) {
  Chain chain({"a", "b"});
  holdThenBufferFromTimer("a");
  chain.manager->requestHeaders(false);
  chain.body(10, false);
  chain.body(20, true);
  chain.turn();
  // The body hook runs after the callback returned, once, with all of the body.
  BOOST_TEST((g_log == Log{"a:req_headers", "a:timer", "rc:0", "a:req_body:30", "b:req_headers",
                           "b:req_body:30"}));
  BOOST_TEST((chain.owner.out == Log{"headers", "data:30:end"}));
}

BOOST_AUTO_TEST_CASE(buffering_from_a_callback_waits_for_the_rest_and_reads_on) {
  FilterManager::Limits limits;
  limits.high_watermark = 8;
  Chain chain({"a"}, {}, limits);
  holdThenBufferFromTimer("a");
  chain.manager->requestHeaders(false);
  chain.body(12, false);
  BOOST_TEST((chain.owner.out == Log{"pause"}));
  chain.turn();
  BOOST_TEST((chain.owner.out == Log{"pause", "resume"}));  // buffering reads to the end
  chain.body(12, false);
  BOOST_TEST((g_log == Log{"a:req_headers", "a:timer", "rc:0"}));
  chain.body(1, true);
  BOOST_TEST((g_log == Log{"a:req_headers", "a:timer", "rc:0", "a:req_body:25"}));
  BOOST_TEST((chain.owner.out == Log{"pause", "resume", "headers", "data:25:end"}));
}

BOOST_AUTO_TEST_CASE(buffering_from_a_callback_keeps_the_limit) {
  FilterManager::Limits limits;
  limits.max_buffered_body = 16;
  Chain chain({"a"}, {}, limits);
  holdThenBufferFromTimer("a");
  chain.manager->requestHeaders(false);
  chain.body(20, false);  // held, not buffered: no limit yet
  BOOST_TEST(chain.owner.out.empty());
  chain.turn();
  BOOST_TEST((chain.owner.out == Log{"413"}));
}

BOOST_AUTO_TEST_CASE(only_the_holding_filter_in_a_callback_may_buffer) {
  Chain chain({"a", "b"});
  holdAndStartTimer("a");
  g_action["a:req_headers"] = [](weft_stream_host* s) {
    g_host->timer_start(s, 0);
    logRc(g_host->stream_buffer_body(s, WEFT_BODY_REQUEST));  // a hook: return STOP_AND_BUFFER
  };
  g_action["a:timer"] = [](weft_stream_host* s) {
    logRc(g_host->stream_buffer_body(s, WEFT_BODY_RESPONSE));  // holds no response
  };
  chain.manager->requestHeaders(true);
  chain.turn();
  const int wrong = WEFT_ERR_WRONG_PHASE;
  BOOST_TEST((g_log == Log{"a:req_headers", "rc:" + std::to_string(wrong), "a:timer",
                           "rc:" + std::to_string(wrong)}));
  BOOST_TEST(chain.manager->continueRequest() == WEFT_OK);
  BOOST_TEST((chain.owner.out == Log{"headers:end"}));
}

BOOST_AUTO_TEST_CASE(a_failing_callback_answers_500_unless_fail_open) {
  for (const bool fail_open : {false, true}) {
    Chain chain({"a", "b"}, {fail_open, false});
    holdAndStartTimer("a");
    g_action["a:timer"] = [](weft_stream_host* s) {
      logRc(g_host->stream_fail(s, weft_str{"boom", 4}));
    };
    chain.manager->requestHeaders(true);
    chain.turn();
    if (fail_open) {  // what a held goes on
      BOOST_TEST((chain.owner.out == Log{"headers:end"}));
      BOOST_TEST((g_log == Log{"a:req_headers", "a:timer", "b:req_headers", "rc:0"}));
    } else {
      BOOST_TEST((chain.owner.out == Log{"failed:a"}));
      BOOST_TEST((g_log == Log{"a:req_headers", "a:timer", "rc:0"}));
    }
  }
}

BOOST_AUTO_TEST_CASE(hooks_run_inside_a_callback_are_not_callbacks) {
  Chain chain({"a", "b"});
  holdAndStartTimer("a");
  bool fired = false;
  g_action["a:timer"] = [&fired](weft_stream_host* s) {
    if (std::exchange(fired, true)) return;
    g_host->continue_request(s);
    g_host->timer_start(s, 0);  // still a's timer, though b's hook ran in between
  };
  g_action["b:req_headers"] = [](weft_stream_host* s) {
    logRc(g_host->stream_fail(s, weft_str{"boom", 4}));  // a hook fails by its status
  };
  chain.manager->requestHeaders(true);
  chain.turn();
  chain.turn();
  const int wrong = WEFT_ERR_WRONG_PHASE;
  BOOST_TEST((g_log == Log{"a:req_headers", "a:timer", "b:req_headers",
                           "rc:" + std::to_string(wrong), "a:timer"}));
  BOOST_TEST((chain.owner.out == Log{"headers:end"}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::http
