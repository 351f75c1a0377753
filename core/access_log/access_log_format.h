// Access log formats: an Envoy-style format string ("%REQ(:METHOD)% %RESPONSE_CODE%") or a JSON
// object of such strings, compiled once at config time into a list of pieces (literal text or a
// field) and rendered per finished stream without parsing anything again.
//
// Fields: %START_TIME% (ISO 8601 UTC with milliseconds), %REQ(X)% and %RESP(X)% (a request or
// response header, pseudo-headers like :METHOD :PATH :AUTHORITY :STATUS included, names
// case-insensitive; "X?Y" falls back to header Y when X is absent), %PROTOCOL%, %RESPONSE_CODE%,
// %RESPONSE_FLAGS%, %BYTES_RECEIVED%, %BYTES_SENT%, %DURATION% and %UPSTREAM_SERVICE_TIME% (whole
// milliseconds), %UPSTREAM_HOST%, %UPSTREAM_CLUSTER%, %ROUTE_NAME%, %DOWNSTREAM_REMOTE_ADDRESS%,
// %DOWNSTREAM_LOCAL_ADDRESS%, %REQUEST_ID% (same as %REQ(X-REQUEST-ID)%) and
// %DYNAMIC_METADATA(key)%. Any field takes an optional ":N" suffix that truncates its value to N
// bytes (%REQ(USER-AGENT):64%). "%%" is a literal percent. A value that is absent renders as "-",
// as in Envoy.
//
// Thread-safety: a compiled format is immutable; render() may run on many workers at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/status.h"
#include "core/http/header_map.h"

namespace weft::access_log {

// What a finished stream knows, as the connection manager fills it just before logging. Every
// pointer and view is borrowed for the duration of one render() call; null pointers and empty
// views mean "absent" and render as "-".
struct AccessLogRecord {
  const http::HeaderMap* request_headers = nullptr;
  const http::HeaderMap* response_headers = nullptr;
  std::string_view protocol;        // "HTTP/1.1"
  uint32_t response_code = 0;       // 0: no response was sent
  std::string_view response_flags;  // Envoy short flags, e.g. "UF,URX"; empty: none
  uint64_t bytes_received = 0;      // request body bytes
  uint64_t bytes_sent = 0;          // response body bytes
  std::chrono::system_clock::time_point start_time;  // first byte of the request
  int64_t duration_us = 0;                           // start to last byte sent
  int64_t upstream_service_time_us = -1;             // upstream request to response head; -1: none
  std::string_view upstream_host;                    // "10.0.0.7:8080"
  std::string_view upstream_cluster;
  std::string_view route_name;
  std::string_view downstream_remote_address;  // "ip:port"
  std::string_view downstream_local_address;
  const std::vector<std::pair<std::string, std::string>>* metadata = nullptr;  // key -> value
};

class AccessLogFormat {
 public:
  // Envoy's default line, adapted to our fields.
  static constexpr std::string_view kDefaultFormat =
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
      "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
      "%UPSTREAM_SERVICE_TIME% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
      "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

  // A text format. Errors name the offending field: "unknown access log field '%FOO%'".
  static Result<AccessLogFormat> compile(std::string_view text);
  // A JSON-lines format: one object per line with these keys in this order, each value a format
  // string. A value that is exactly one numeric field (%RESPONSE_CODE%, %BYTES_RECEIVED%,
  // %BYTES_SENT%, %DURATION%, %UPSTREAM_SERVICE_TIME%) is written as a JSON number; a value that
  // is exactly one absent field is null; everything else is an escaped JSON string.
  static Result<AccessLogFormat> compileJson(
      const std::vector<std::pair<std::string, std::string>>& fields);
  // kDefaultFormat, compiled.
  static AccessLogFormat defaultFormat();

  // Appends one log line for `record` to `out`, always ending in '\n' (text formats that do not
  // end in a newline get one).
  void render(const AccessLogRecord& record, std::string& out) const;

 private:
  enum class Field : uint8_t {
    kLiteral,
    kStartTime,
    kRequestHeader,
    kResponseHeader,
    kProtocol,
    kResponseCode,
    kResponseFlags,
    kBytesReceived,
    kBytesSent,
    kDuration,
    kUpstreamServiceTime,
    kUpstreamHost,
    kUpstreamCluster,
    kRouteName,
    kDownstreamRemoteAddress,
    kDownstreamLocalAddress,
    kDynamicMetadata,
  };
  struct Piece {
    Field field = Field::kLiteral;
    std::string text;       // the literal, the lower-case header name, or the metadata key
    std::string fallback;   // the second header of "X?Y", lower-case; empty if none
    size_t max_length = 0;  // 0: no limit
  };
  struct JsonMember {
    std::string prefix;  // `{"key":` for the first member, `,"key":` after it
    std::vector<Piece> pieces;
  };

  AccessLogFormat() = default;
  static Result<std::vector<Piece>> parse(std::string_view text);
  // Appends the field's value, truncated to its max length; false (nothing appended) if absent.
  static bool appendField(const Piece& piece, const AccessLogRecord& record, std::string& out);
  static void appendPieces(const std::vector<Piece>& pieces, const AccessLogRecord& record,
                           std::string& out);
  void renderJson(const AccessLogRecord& record, std::string& out) const;

  std::vector<Piece> pieces_;        // the text format
  std::vector<JsonMember> members_;  // the JSON format (non-empty iff this is one)
};

}  // namespace weft::access_log
