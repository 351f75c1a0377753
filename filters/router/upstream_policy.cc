// UpstreamPolicy parsing and validation: see upstream_policy.h.
#include "filters/router/upstream_policy.h"

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <utility>

#include "filters/router/config_fields.h"

namespace weft::router {
namespace {

constexpr std::pair<std::string_view, RetryPolicy::On> kRetryOn[] = {
    {"5xx", RetryPolicy::k5xx},
    {"gateway-error", RetryPolicy::kGatewayError},
    {"reset", RetryPolicy::kReset},
    {"reset-before-request", RetryPolicy::kResetBeforeRequest},
    {"connect-failure", RetryPolicy::kConnectFailure},
    {"retriable-4xx", RetryPolicy::kRetriable4xx},
    {"refused-stream", RetryPolicy::kRefusedStream},
    {"retriable-status-codes", RetryPolicy::kRetriableStatusCodes},
    {"cancelled", RetryPolicy::kGrpcCancelled},
    {"deadline-exceeded", RetryPolicy::kGrpcDeadlineExceeded},
    {"internal", RetryPolicy::kGrpcInternal},
    {"resource-exhausted", RetryPolicy::kGrpcResourceExhausted},
    {"unavailable", RetryPolicy::kGrpcUnavailable},
};

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Result<uint32_t> parseRetryOn(const std::string& text, const std::string& where) {
  uint32_t bits = 0;
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view token = trimmed(rest.substr(0, comma));
    bool known = false;
    for (const auto& [name, bit] : kRetryOn) {
      if (token == name) {
        bits |= bit;
        known = true;
      }
    }
    if (!known) {
      std::string list;
      for (const auto& entry : kRetryOn)
        list += (list.empty() ? "" : ", ") + std::string(entry.first);
      return fail(where,
                  "unknown condition '" + std::string(token) + "' (supported: " + list + ")");
    }
    if (comma == std::string_view::npos) return bits;
    rest.remove_prefix(comma + 1);
  }
}

Result<RetryPolicy::BackOff> parseBackOff(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node, {"base_interval", "max_interval"}, where); !s) return s;
  std::optional<uint32_t> base, max;
  if (Status s = readDurationMs(node, "base_interval", where, base); !s) return s;
  if (!base) return fail(field(where, "base_interval"), "required");
  if (*base == 0) return fail(field(where, "base_interval"), "must be more than 0");
  if (Status s = readDurationMs(node, "max_interval", where, max); !s) return s;
  RetryPolicy::BackOff back_off{*base, max.value_or(*base * 10)};
  if (back_off.max_interval_ms < back_off.base_interval_ms) {
    return fail(field(where, "max_interval"), "must not be less than base_interval");
  }
  return back_off;
}

Result<RetryPolicy> parseRetryPolicy(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node,
                             {"retry_on", "num_retries", "per_try_timeout",
                              "retriable_status_codes", "retry_back_off"},
                             where);
      !s) {
    return s;
  }
  RetryPolicy policy;
  std::string retry_on;
  if (Status s = readString(node, "retry_on", true, where, retry_on); !s) return s;
  Result<uint32_t> bits = parseRetryOn(retry_on, field(where, "retry_on"));
  if (!bits) return bits.status();
  policy.retry_on = *bits;
  if (Status s = readUint(node, "num_retries", 0, 1000, where, policy.num_retries); !s) return s;
  if (Status s = readDurationMs(node, "per_try_timeout", where, policy.per_try_timeout_ms); !s) {
    return s;
  }
  const YAML::Node codes = node["retriable_status_codes"];
  const std::string codes_where = field(where, "retriable_status_codes");
  if (Status s = checkList(codes, codes_where); !s) return s;
  for (size_t i = 0; codes && i < codes.size(); ++i) {
    uint32_t code = 0;
    if (Status s = readUintValue(codes[i], 100, 599, indexed(codes_where, i), code); !s) return s;
    policy.retriable_status_codes.push_back(code);
  }
  if (node["retry_back_off"]) {
    Result<RetryPolicy::BackOff> back_off =
        parseBackOff(node["retry_back_off"], field(where, "retry_back_off"));
    if (!back_off) return back_off.status();
    policy.back_off = *back_off;
  }
  return policy;
}

Result<MirrorPolicy> parseMirror(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node, {"cluster", "runtime_fraction"}, where); !s) return s;
  MirrorPolicy mirror;
  if (Status s = readString(node, "cluster", true, where, mirror.cluster); !s) return s;
  if (node["runtime_fraction"]) {
    const std::string fraction_where = field(where, "runtime_fraction");
    const YAML::Node fraction = node["runtime_fraction"];
    if (Status s = checkFields(fraction, {"default_value"}, fraction_where); !s) return s;
    const std::string value_where = field(fraction_where, "default_value");
    if (Status s = checkMap(fraction["default_value"], value_where); !s) return s;
    Result<FractionalPercent> percent =
        FractionalPercent::parse(fraction["default_value"], value_where);
    if (!percent) return percent.status();
    mirror.fraction = *percent;
  }
  return mirror;
}

}  // namespace

weft_retry_policy RetryPolicy::toAbi() const {
  weft_retry_policy out{};
  out.struct_size = sizeof(weft_retry_policy);
  out.num_retries = num_retries;
  out.retry_on = retry_on;
  out.per_try_timeout_ms = per_try_timeout_ms.value_or(0);
  if (back_off) {
    out.base_interval_ms = back_off->base_interval_ms;
    out.max_interval_ms = back_off->max_interval_ms;
  }
  out.retriable_status_codes = retriable_status_codes.data();
  out.retriable_status_code_count = retriable_status_codes.size();
  return out;
}

Result<UpstreamPolicy> UpstreamPolicy::parse(const YAML::Node& route, const std::string& where) {
  UpstreamPolicy policy;
  if (Status s = readDurationMs(route, "timeout", where, policy.timeout_ms); !s) return s;
  if (route["retry_policy"]) {
    Result<RetryPolicy> retry =
        parseRetryPolicy(route["retry_policy"], field(where, "retry_policy"));
    if (!retry) return retry.status();
    policy.retry = std::move(*retry);
  }
  const YAML::Node mirrors = route["request_mirror_policies"];
  const std::string mirrors_where = field(where, "request_mirror_policies");
  if (Status s = checkList(mirrors, mirrors_where); !s) return s;
  for (size_t i = 0; mirrors && i < mirrors.size(); ++i) {
    Result<MirrorPolicy> mirror = parseMirror(mirrors[i], indexed(mirrors_where, i));
    if (!mirror) return mirror.status();
    policy.mirrors.push_back(std::move(*mirror));
  }
  return policy;
}

}  // namespace weft::router
