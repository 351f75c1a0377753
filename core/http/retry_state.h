// Retries of one request's upstream attempts, as Envoy's router does them: RetryPolicy is what a
// filter handed the host (set_retry_policy, weft/filter_abi.h, converted by plugins/host), and
// RetryState answers, attempt after attempt, "retry, after how long?" — or "no", or "no, the
// retries are spent". Pure logic: no I/O, no timers, no clock; the randomness of the back-off comes
// from the worker's generator, so tests can seed it.
//
// The retry_on conditions are the ABI's WEFT_RETRY_ON_* bits, with Envoy's meaning (the table in
// filter_abi.h). What this class does not see is the caller's to enforce: never retry once part of
// the response went downstream, nor after the route's overall timeout (which spans every attempt
// and back-off), nor a request whose body was not kept for re-sending.
//
// Owned by the stream whose request it retries; used on that stream's worker only.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "core/http/header_map.h"
#include "weft/filter_abi.h"

namespace weft::http {

struct RetryPolicy {
  static constexpr uint64_t kDefaultBaseIntervalMs = 25;

  uint32_t num_retries = 1;         // attempts after the first
  uint32_t retry_on = 0;            // WEFT_RETRY_ON_* bits
  uint64_t per_try_timeout_ms = 0;  // each attempt until its response headers; 0: none
  uint64_t base_interval_ms = kDefaultBaseIntervalMs;      // > 0
  uint64_t max_interval_ms = 10 * kDefaultBaseIntervalMs;  // >= base_interval_ms
  std::vector<uint32_t> retriable_status_codes;  // for WEFT_RETRY_ON_RETRIABLE_STATUS_CODES

  friend bool operator==(const RetryPolicy&, const RetryPolicy&) = default;
};

// How an attempt ended without response headers.
enum class UpstreamFailure {
  kConnectFailure,  // no connection to the host (refused, connect timeout, TLS handshake failed)
  kReset,           // the stream or its connection went away before response headers
  kRefusedStream,   // HTTP/2 RST_STREAM with REFUSED_STREAM: the server did not process it
  kPerTryTimeout,   // the policy's per_try_timeout_ms passed (the caller abandons the attempt)
};

struct RetryDecision {
  enum class Verdict {
    kNoRetry,    // the outcome is not one retry_on names: pass it on
    kExhausted,  // it is, but num_retries attempts were already retried
    kRetry,      // send the request again after backoff_ms
  };
  Verdict verdict = Verdict::kNoRetry;
  uint64_t backoff_ms = 0;  // kRetry only

  bool retry() const { return verdict == Verdict::kRetry; }
};

class RetryState {
 public:
  // `random` (the worker's generator) must outlive this object.
  RetryState(RetryPolicy policy, std::mt19937_64& random);

  const RetryPolicy& policy() const { return policy_; }
  // Retries granted so far.
  uint32_t retriesUsed() const { return retries_used_; }

  // An attempt brought response headers with `http_status`, and for gRPC the grpc-status those
  // headers carry (a trailers-only response), if any.
  RetryDecision onResponse(uint32_t http_status, std::optional<uint32_t> grpc_status);
  // The same, read from the response headers (":status", "grpc-status"); a missing or malformed
  // ":status" counts as no status at all (nothing matches it).
  RetryDecision onResponseHeaders(const HeaderMap& headers);
  // An attempt ended without response headers. `request_sent`: some of the request had gone
  // upstream (what reset-before-request looks at; a connect failure never has).
  RetryDecision onFailure(UpstreamFailure failure, bool request_sent);

  // The predicates behind the above, which consume nothing.
  bool retriableResponse(uint32_t http_status, std::optional<uint32_t> grpc_status) const;
  bool retriableFailure(UpstreamFailure failure, bool request_sent) const;

 private:
  RetryDecision decide(bool retriable);
  uint64_t nextBackoffMs();

  RetryPolicy policy_;
  std::mt19937_64& random_;
  uint32_t retries_used_ = 0;
  uint64_t backoff_window_ms_;  // (2^n - 1) * base for the next retry n, until it reaches max
};

}  // namespace weft::http
