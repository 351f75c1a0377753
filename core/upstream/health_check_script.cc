// HealthCheckScript: see health_check_script.h.
#include "core/upstream/health_check_script.h"

#include "core/http/http1_parser.h"

namespace weft::upstream {
namespace {

// A response head may fill the whole reply allowance, no more.
constexpr http1::Limits kReplyLimits{.max_request_line = HealthCheckScript::kMaxReplyBytes,
                                     .max_header_bytes = HealthCheckScript::kMaxReplyBytes,
                                     .max_headers = 100};

std::string httpRequest(const config::HttpHealthCheck& check, std::string_view cluster_name) {
  std::string request = "GET " + check.path + " HTTP/1.1\r\nHost: ";
  request += check.host.empty() ? cluster_name : std::string_view(check.host);
  request += "\r\nUser-Agent: Weft/HC\r\nConnection: close\r\n\r\n";
  return request;
}

}  // namespace

HealthCheckScript::HealthCheckScript(const config::HealthCheck& config,
                                     std::string_view cluster_name)
    : http_(config.http) {
  if (http_) {
    request_ = httpRequest(*http_, cluster_name);
  } else if (config.tcp) {
    request_ = config.tcp->send;
    receive_ = config.tcp->receive;
  }
}

HealthCheckScript::Verdict HealthCheckScript::judge(std::string_view reply) const {
  reply = reply.substr(0, kMaxReplyBytes);
  const Verdict verdict = http_ ? judgeHttp(reply) : judgeTcp(reply);
  if (verdict == Verdict::kIncomplete && reply.size() == kMaxReplyBytes) return Verdict::kBadReply;
  return verdict;
}

HealthCheckScript::Verdict HealthCheckScript::judgeHttp(std::string_view reply) const {
  for (;;) {
    const http1::HeadScan scan = http1::scanHead(reply, kReplyLimits, /*is_request=*/false);
    if (scan.state == http1::HeadScan::State::kIncomplete) return Verdict::kIncomplete;
    if (scan.state == http1::HeadScan::State::kError) return Verdict::kBadReply;
    http1::ResponseHead head;
    if (http1::parseResponseHead(reply.substr(0, scan.head_length), "GET", kReplyLimits, head) !=
        http1::ParseError::kNone) {
      return Verdict::kBadReply;
    }
    // An interim response (100 Continue, 103 Early Hints): the final one follows.
    if (head.status < 200 && head.status != 101) {
      reply.remove_prefix(scan.head_length);
      continue;
    }
    return http_->expects(head.status) ? Verdict::kHealthy : Verdict::kUnhealthy;
  }
}

HealthCheckScript::Verdict HealthCheckScript::judgeTcp(std::string_view reply) const {
  size_t from = 0;
  for (const std::string& block : receive_) {
    const size_t at = reply.find(block, from);
    if (at == std::string_view::npos) return Verdict::kIncomplete;
    from = at + block.size();
  }
  return Verdict::kHealthy;
}

}  // namespace weft::upstream
