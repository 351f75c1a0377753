// The reader of a cluster's `health_checks:` list: see health_check_config.h.
#include "core/config/health_check_config.h"

#include <algorithm>
#include <string_view>

namespace weft::config {
namespace {

constexpr std::string_view kHealthCheckKeys[] = {
    "timeout",           "interval",          "interval_jitter", "unhealthy_threshold",
    "healthy_threshold", "http_health_check", "tcp_health_check"};
constexpr std::string_view kHttpKeys[] = {"path", "host", "expected_statuses"};
constexpr std::string_view kRangeKeys[] = {"start", "end"};
constexpr std::string_view kTcpKeys[] = {"send", "receive"};
constexpr std::string_view kPayloadKeys[] = {"text"};

constexpr uint32_t kMaxThreshold = 1000000;

// Bytes that may appear in a request line or a Host header as they are: visible ASCII.
bool isVisibleAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Envoy's Payload: `{ text: "<hex>" }`, decoded into `out`.
void readPayload(const Field& field, FieldErrors& errors, std::string& out) {
  const FieldMap map(field, kPayloadKeys, errors);
  const std::optional<Field> text_field = map.require("text", "hex bytes, e.g. \"50494e47\"");
  std::string text;
  if (!text_field || !readString(*text_field, errors, text)) return;
  std::string bytes;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    const int high = hexDigit(text[i]);
    const int low = hexDigit(text[i + 1]);
    if (high < 0 || low < 0) break;
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  if (bytes.size() * 2 != text.size()) {
    errors.add(text_field->mark, text_field->path,
               "must be pairs of hex digits, got " + quoted(text));
    return;
  }
  out = std::move(bytes);
}

StatusRange readStatusRange(const Field& field, FieldErrors& errors) {
  StatusRange range;
  const FieldMap map(field, kRangeKeys, errors);
  if (auto start = map.require("start")) readUint(*start, 100, 599, errors, range.start);
  if (auto end = map.require("end");
      end && readUint(*end, 101, 600, errors, range.end) && range.end <= range.start) {
    errors.add(end->mark, end->path,
               "must be greater than start (" + std::to_string(range.start) +
                   "): the range is [start, end)");
  }
  return range;
}

HttpHealthCheck readHttp(const Field& field, FieldErrors& errors) {
  HttpHealthCheck http;
  const FieldMap map(field, kHttpKeys, errors);
  if (auto path = map.require("path"); path && readString(*path, errors, http.path)) {
    if (http.path.front() != '/') {
      errors.add(path->mark, path->path, "must start with \"/\", got " + quoted(http.path));
    } else if (!isVisibleAscii(http.path)) {
      errors.add(path->mark, path->path, "must not contain spaces or control characters");
    }
  }
  if (auto host = map.get("host");
      host && readString(*host, errors, http.host) && !isVisibleAscii(http.host)) {
    errors.add(host->mark, host->path, "must not contain spaces or control characters");
  }
  if (auto statuses = map.get("expected_statuses")) {
    http.expected_statuses.clear();
    for (const Field& item : readNonEmptyList(*statuses, errors)) {
      http.expected_statuses.push_back(readStatusRange(item, errors));
    }
  }
  return http;
}

TcpHealthCheck readTcp(const Field& field, FieldErrors& errors) {
  TcpHealthCheck tcp;
  const FieldMap map(field, kTcpKeys, errors);
  if (auto send = map.get("send")) readPayload(*send, errors, tcp.send);
  if (auto receive = map.get("receive")) {
    for (const Field& item : readList(*receive, errors)) {
      readPayload(item, errors, tcp.receive.emplace_back());
    }
  }
  return tcp;
}

HealthCheck readHealthCheck(const Field& field, FieldErrors& errors) {
  HealthCheck check;
  const FieldMap map(field, kHealthCheckKeys, errors);
  if (auto timeout = map.require("timeout")) readDuration(*timeout, 1, errors, check.timeout_ms);
  if (auto interval = map.require("interval")) {
    readDuration(*interval, 1, errors, check.interval_ms);
  }
  if (auto jitter = map.get("interval_jitter")) {
    readDuration(*jitter, 0, errors, check.interval_jitter_ms);
  }
  if (auto threshold = map.require("unhealthy_threshold")) {
    readUint(*threshold, 1, kMaxThreshold, errors, check.unhealthy_threshold);
  }
  if (auto threshold = map.require("healthy_threshold")) {
    readUint(*threshold, 1, kMaxThreshold, errors, check.healthy_threshold);
  }
  const std::optional<Field> http = map.get("http_health_check");
  const std::optional<Field> tcp = map.get("tcp_health_check");
  if (http && tcp) {
    errors.add(tcp->mark, tcp->path, "give either http_health_check or tcp_health_check, not both");
  } else if (http) {
    check.http = readHttp(*http, errors);
  } else if (tcp) {
    check.tcp = readTcp(*tcp, errors);
  } else if (map.isMap()) {
    errors.add(map.mark(), map.path(), "needs http_health_check or tcp_health_check");
  }
  return check;
}

}  // namespace

bool HttpHealthCheck::expects(int status) const {
  return std::any_of(expected_statuses.begin(), expected_statuses.end(), [&](StatusRange range) {
    return status >= static_cast<int>(range.start) && status < static_cast<int>(range.end);
  });
}

void readHealthChecks(const Field& field, FieldErrors& errors, std::optional<HealthCheck>& out) {
  const std::vector<Field> items = readList(field, errors);
  if (items.size() > 1) {
    errors.add(items[1].mark, items[1].path, "only one health check per cluster is supported");
    return;
  }
  if (items.size() == 1) out = readHealthCheck(items[0], errors);
}

}  // namespace weft::config
