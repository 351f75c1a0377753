// HealthCheckSession: see health_check_session.h.
#include "core/upstream/health_check_session.h"

#include <algorithm>

namespace weft::upstream {
namespace {

// Reading stops once the script's allowance is buffered; onWriteDrained means "all sent".
constexpr network::Connection::Watermarks kMarks{.read_high = HealthCheckScript::kMaxReplyBytes,
                                                 .write_low = 0};

CheckResult resultOf(HealthCheckScript::Verdict verdict) {
  switch (verdict) {
    case HealthCheckScript::Verdict::kHealthy:
      return CheckResult::kSuccess;
    case HealthCheckScript::Verdict::kUnhealthy:
      return CheckResult::kFailure;
    case HealthCheckScript::Verdict::kIncomplete:
    case HealthCheckScript::Verdict::kBadReply:
      break;
  }
  return CheckResult::kNetworkFailure;
}

}  // namespace

HealthCheckSession::HealthCheckSession(event_base* base, const HealthCheckScript& script,
                                       uint32_t timeout_ms, size_t host,
                                       const network::Address& address, std::string name,
                                       tls::ClientContext* tls, Owner& owner)
    : base_(base),
      script_(script),
      timeout_ms_(timeout_ms),
      host_(host),
      address_(address),
      name_(std::move(name)),
      tls_(tls),
      owner_(owner),
      interval_timer_(base, &event::callMember<&HealthCheckSession::beginCheck, HealthCheckSession>,
                      this),
      timeout_timer_(base, &event::callMember<&HealthCheckSession::onTimeout, HealthCheckSession>,
                     this),
      done_timer_(base, &event::callMember<&HealthCheckSession::deliver, HealthCheckSession>,
                  this) {}

HealthCheckSession::~HealthCheckSession() = default;

void HealthCheckSession::beginCheck() {
  settled_ = false;
  bool ok = false;
  network::ConnectionCallbacks& callbacks = *this;
  connection_ = std::make_unique<network::Connection>(base_, address_, callbacks, kMarks, ok);
  timeout_timer_.arm(timeout_ms_);
  if (!ok) {
    finish(CheckResult::kNetworkFailure);
    return;
  }
  if (tls_ == nullptr) return;
  tls::SessionPtr session = tls_->newSession(name_, name_);  // as ClusterInfo::startTls
  if (!session) {
    finish(CheckResult::kNetworkFailure);
    return;
  }
  connection_->startTls(std::move(session));
}

void HealthCheckSession::onConnected() {
  const std::string& request = script_.request();
  if (!request.empty()) {
    evbuffer_add(connection_->output(), request.data(), request.size());
    connection_->flush();
  }
  if (script_.awaitsReply()) return;
  if (request.empty()) {
    finish(CheckResult::kSuccess);
  } else {
    connection_->watchDrain();  // passes once the request has left
  }
}

void HealthCheckSession::onReadable() {
  evbuffer* input = connection_->input();
  const size_t length = std::min(evbuffer_get_length(input), HealthCheckScript::kMaxReplyBytes);
  const auto* bytes = reinterpret_cast<const char*>(evbuffer_pullup(input, length));
  const HealthCheckScript::Verdict verdict = script_.judge(std::string_view(bytes, length));
  if (verdict != HealthCheckScript::Verdict::kIncomplete) finish(resultOf(verdict));
}

void HealthCheckSession::onWriteDrained() { finish(CheckResult::kSuccess); }

void HealthCheckSession::onRemoteClose() { finish(CheckResult::kNetworkFailure); }

void HealthCheckSession::onConnectionError() { finish(CheckResult::kNetworkFailure); }

void HealthCheckSession::finish(CheckResult result) {
  if (settled_) return;
  settled_ = true;
  result_ = result;
  timeout_timer_.cancel();
  connection_->quiesce();  // no callback follows; freed from the done timer
  done_timer_.arm(0);
}

void HealthCheckSession::deliver() {
  connection_.reset();
  interval_timer_.arm(owner_.nextIntervalMs());
  owner_.onCheckDone(host_, result_);  // may destroy this session: nothing touches it afterwards
}

}  // namespace weft::upstream
