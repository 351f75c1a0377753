// The fault filter: config (main thread) and per-stream injection (workers).
#include "filters/fault/fault_filter.h"

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/grpc.h"
#include "filters/fault/fault_config.h"
#include "filters/router/stream_adapters.h"
#include "filters/router/worker_random.h"
#include "weft/filter.hpp"

namespace weft::fault {
namespace {

constexpr std::string_view kAbortBody = "fault filter abort";
constexpr std::string_view kAbortDetails = "fault_filter_abort";

class FaultFilterConfig : public FilterConfig {
 public:
  static std::unique_ptr<FaultFilterConfig> create(const weft_host_api* host,
                                                   weft_config_host* config, std::string_view json,
                                                   std::string& error) {
    Result<FaultConfig> parsed = FaultConfig::parse(json);
    if (!parsed) {
      error = parsed.status().message();
      return nullptr;
    }
    return std::unique_ptr<FaultFilterConfig>(
        new FaultFilterConfig(std::move(*parsed), host, config));
  }

  const FaultConfig& fault() const { return fault_; }
  const Counter& delays() const { return delays_; }
  const Counter& aborts() const { return aborts_; }
  const Counter& overflows() const { return overflows_; }

  // Counts a new fault in flight, unless max_active_faults are already: then false.
  bool beginFault() const {
    const uint64_t before = active_.fetch_add(1, std::memory_order_relaxed);
    if (fault_.max_active_faults && before >= *fault_.max_active_faults) {
      active_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    active_gauge_.add(1);
    return true;
  }
  void endFault() const {
    active_.fetch_sub(1, std::memory_order_relaxed);
    active_gauge_.add(-1);
  }

 private:
  FaultFilterConfig(FaultConfig fault, const weft_host_api* host, weft_config_host* config)
      : fault_(std::move(fault)),
        delays_(Counter::define(host, config, "fault.delays_injected")),
        aborts_(Counter::define(host, config, "fault.aborts_injected")),
        overflows_(Counter::define(host, config, "fault.faults_overflow")),
        active_gauge_(Gauge::define(host, config, "fault.active_faults")) {}

  FaultConfig fault_;
  Counter delays_;
  Counter aborts_;
  Counter overflows_;
  Gauge active_gauge_;
  // Faults in flight on every worker of this config: the one piece of shared mutable state, so
  // max_active_faults holds across workers (the gauge is write-only through the ABI).
  mutable std::atomic<uint64_t> active_{0};
};

class FaultFilter final : public StreamFilter {
 public:
  FaultFilter(const FaultFilterConfig& config, Stream stream)
      : StreamFilter(stream), config_(config) {}
  ~FaultFilter() override {
    if (active_) config_.endFault();
  }

  FilterStatus onRequestHeaders(bool /*end_stream*/) override {
    const FaultConfig& fault = config_.fault();
    if (!router::allMatch(fault.headers, router::StreamMatchInput(stream()))) {
      return FilterStatus::kContinue;
    }
    const bool delay = fault.delay && fault.delay->percentage.roll(router::workerRandom());
    abort_after_delay_ = fault.abort && fault.abort->percentage.roll(router::workerRandom());
    if (!delay && !abort_after_delay_) return FilterStatus::kContinue;
    if (!config_.beginFault()) {
      config_.overflows().add();
      return FilterStatus::kContinue;
    }
    active_ = true;
    if (delay) {
      if (stream().startTimer(fault.delay->fixed_delay_ms) > 0) {
        config_.delays().add();
        stream().addResponseFlag("DI");
        return FilterStatus::kStopIteration;
      }
      stream().warn("fault: the host refused a timer; the delay is skipped");
    }
    return abort_after_delay_ ? abort() : FilterStatus::kContinue;
  }

  void onTimer(int64_t /*token*/) override {
    if (abort_after_delay_) {
      abort();
    } else {
      stream().continueRequest();
    }
  }

 private:
  FilterStatus abort() {
    const FaultAbort& abort = *config_.fault().abort;
    config_.aborts().add();
    stream().addResponseFlag("FI");
    const bool grpc =
        abort.grpc_status.has_value() ||
        http::grpc::isGrpcContentType(stream().requestHeader("content-type").value_or(""));
    if (!grpc) {
      stream().sendLocalReply(*abort.http_status, kAbortBody, {{"content-type", "text/plain"}},
                              kAbortDetails);
      return FilterStatus::kStopIteration;
    }
    const std::string status = std::to_string(
        abort.grpc_status ? *abort.grpc_status : http::grpc::statusForHttp(*abort.http_status));
    stream().sendLocalReply(200, "",
                            {{"content-type", "application/grpc"},
                             {"grpc-status", status},
                             {"grpc-message", kAbortBody}},
                            kAbortDetails);
    return FilterStatus::kStopIteration;
  }

  const FaultFilterConfig& config_;
  bool active_ = false;             // counted in active faults until the stream ends
  bool abort_after_delay_ = false;  // the abort roll came up
};

}  // namespace
}  // namespace weft::fault

WEFT_DEFINE_FILTER(weft_fault_module_init, "fault", "1.0.0", weft::fault::FaultFilterConfig,
                   weft::fault::FaultFilter)
