// Access log format compilation and rendering: see access_log_format.h.
#include "core/access_log/access_log_format.h"

#include <array>
#include <charconv>
#include <ctime>

#include "core/common/json.h"

namespace weft::access_log {
namespace {

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

template <typename Int>
void appendInt(std::string& out, Int value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, r.ptr);
}

void putTwoDigits(char* at, int value) {
  at[0] = static_cast<char>('0' + value / 10);
  at[1] = static_cast<char>('0' + value % 10);
}

// "2024-05-01T12:34:56.789Z". The part up to the seconds is cached per thread: a worker logs
// many requests within one second.
void appendIsoTime(std::string& out, std::chrono::system_clock::time_point t) {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local char cached[20];  // "YYYY-MM-DDTHH:MM:SS."
  int64_t ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t second = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  int millis = static_cast<int>(ms - second * 1000);
  if (second != cached_second) {
    time_t as_time = static_cast<time_t>(second);
    tm parts{};
    gmtime_r(&as_time, &parts);
    int year = parts.tm_year + 1900;
    putTwoDigits(cached, year / 100);
    putTwoDigits(cached + 2, year % 100);
    cached[4] = '-';
    putTwoDigits(cached + 5, parts.tm_mon + 1);
    cached[7] = '-';
    putTwoDigits(cached + 8, parts.tm_mday);
    cached[10] = 'T';
    putTwoDigits(cached + 11, parts.tm_hour);
    cached[13] = ':';
    putTwoDigits(cached + 14, parts.tm_min);
    cached[16] = ':';
    putTwoDigits(cached + 17, parts.tm_sec);
    cached[19] = '.';
    cached_second = second;
  }
  out.append(cached, sizeof(cached));
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
}

bool appendView(std::string& out, std::string_view value) {
  if (value.empty()) return false;
  out.append(value);
  return true;
}

bool appendHeader(std::string& out, const http::HeaderMap* headers, const std::string& name,
                  const std::string& fallback) {
  if (headers == nullptr) return false;
  const std::string* value = headers->get(name);
  if (value == nullptr && !fallback.empty()) value = headers->get(fallback);
  return value != nullptr && appendView(out, *value);
}

}  // namespace

Result<std::vector<AccessLogFormat::Piece>> AccessLogFormat::parse(std::string_view text) {
  struct Spec {
    std::string_view name;
    Field field;
    bool takes_argument;
  };
  static constexpr std::array<Spec, 17> kSpecs = {{
      {"START_TIME", Field::kStartTime, false},
      {"REQ", Field::kRequestHeader, true},
      {"RESP", Field::kResponseHeader, true},
      {"PROTOCOL", Field::kProtocol, false},
      {"RESPONSE_CODE", Field::kResponseCode, false},
      {"RESPONSE_FLAGS", Field::kResponseFlags, false},
      {"BYTES_RECEIVED", Field::kBytesReceived, false},
      {"BYTES_SENT", Field::kBytesSent, false},
      {"DURATION", Field::kDuration, false},
      {"UPSTREAM_SERVICE_TIME", Field::kUpstreamServiceTime, false},
      {"UPSTREAM_HOST", Field::kUpstreamHost, false},
      {"UPSTREAM_CLUSTER", Field::kUpstreamCluster, false},
      {"ROUTE_NAME", Field::kRouteName, false},
      {"DOWNSTREAM_REMOTE_ADDRESS", Field::kDownstreamRemoteAddress, false},
      {"DOWNSTREAM_LOCAL_ADDRESS", Field::kDownstreamLocalAddress, false},
      {"REQUEST_ID", Field::kRequestHeader, false},  // %REQ(X-REQUEST-ID)%
      {"DYNAMIC_METADATA", Field::kDynamicMetadata, true},
  }};

  std::vector<Piece> pieces;
  auto addLiteral = [&pieces](std::string_view literal) {
    if (literal.empty()) return;
    if (pieces.empty() || pieces.back().field != Field::kLiteral) pieces.push_back(Piece{});
    pieces.back().text.append(literal);
  };

  size_t i = 0;
  while (i < text.size()) {
    size_t percent = text.find('%', i);
    if (percent == std::string_view::npos) {
      addLiteral(text.substr(i));
      break;
    }
    addLiteral(text.substr(i, percent - i));
    if (percent + 1 < text.size() && text[percent + 1] == '%') {
      addLiteral("%");
      i = percent + 2;
      continue;
    }
    size_t close = text.find('%', percent + 1);
    if (close == std::string_view::npos) {
      return Status::error("access log format: unterminated field '" +
                           std::string(text.substr(percent)) + "'");
    }
    std::string_view token = text.substr(percent + 1, close - percent - 1);
    std::string quoted = "'%" + std::string(token) + "%'";
    i = close + 1;

    // NAME, NAME(ARG), NAME:N or NAME(ARG):N.
    size_t name_end = std::min(token.find_first_of("(:"), token.size());
    std::string_view name = token.substr(0, name_end);
    std::string_view rest = token.substr(name_end);
    std::string_view argument;
    bool has_argument = false;
    if (!rest.empty() && rest[0] == '(') {
      size_t paren = rest.find(')');
      if (paren == std::string_view::npos) {
        return Status::error("access log format: missing ')' in " + quoted);
      }
      argument = rest.substr(1, paren - 1);
      has_argument = true;
      rest = rest.substr(paren + 1);
    }
    Piece piece;
    if (!rest.empty()) {
      std::string_view digits = rest.substr(1);
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), piece.max_length);
      if (rest[0] != ':' || digits.empty() || r.ec != std::errc() ||
          r.ptr != digits.data() + digits.size() || piece.max_length == 0) {
        return Status::error("access log format: bad length suffix in " + quoted +
                             " (expected ':N' with N > 0)");
      }
    }

    const Spec* spec = nullptr;
    for (const Spec& s : kSpecs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return Status::error("unknown access log field " + quoted);
    if (spec->takes_argument && (!has_argument || argument.empty())) {
      return Status::error("access log field " + quoted + " needs an argument: '%" +
                           std::string(name) + "(...)%'");
    }
    if (!spec->takes_argument && has_argument) {
      return Status::error("access log field " + quoted + " takes no argument");
    }
    piece.field = spec->field;
    if (spec->field == Field::kDynamicMetadata) {
      piece.text = std::string(argument);
    } else if (spec->field == Field::kRequestHeader && !has_argument) {
      piece.text = "x-request-id";
    } else if (has_argument) {
      size_t question = argument.find('?');
      piece.text = lowered(argument.substr(0, question));
      if (question != std::string_view::npos)
        piece.fallback = lowered(argument.substr(question + 1));
      if (piece.text.empty() || (question != std::string_view::npos && piece.fallback.empty())) {
        return Status::error("access log field " + quoted + " has an empty header name");
      }
    }
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

Result<AccessLogFormat> AccessLogFormat::compile(std::string_view text) {
  auto pieces = parse(text);
  if (!pieces) return pieces.status();
  AccessLogFormat format;
  format.pieces_ = std::move(*pieces);
  auto& p = format.pieces_;
  if (p.empty() || p.back().field != Field::kLiteral || !p.back().text.ends_with('\n')) {
    if (p.empty() || p.back().field != Field::kLiteral) p.push_back(Piece{});
    p.back().text += '\n';
  }
  return format;
}

Result<AccessLogFormat> AccessLogFormat::compileJson(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  if (fields.empty()) return Status::error("access log format: the JSON format has no keys");
  AccessLogFormat format;
  for (const auto& [key, value] : fields) {
    auto pieces = parse(value);
    if (!pieces)
      return Status::error("access log JSON key '" + key + "': " + pieces.status().message());
    JsonMember member;
    member.prefix = format.members_.empty() ? "{" : ",";
    json::appendString(member.prefix, key);
    member.prefix += ':';
    member.pieces = std::move(*pieces);
    format.members_.push_back(std::move(member));
  }
  return format;
}

AccessLogFormat AccessLogFormat::defaultFormat() { return std::move(*compile(kDefaultFormat)); }

bool AccessLogFormat::appendField(const Piece& piece, const AccessLogRecord& r, std::string& out) {
  size_t mark = out.size();
  bool present = true;
  switch (piece.field) {
    case Field::kLiteral:
      out += piece.text;
      break;
    case Field::kStartTime:
      present = r.start_time.time_since_epoch().count() != 0;
      if (present) appendIsoTime(out, r.start_time);
      break;
    case Field::kRequestHeader:
      present = appendHeader(out, r.request_headers, piece.text, piece.fallback);
      break;
    case Field::kResponseHeader:
      present = appendHeader(out, r.response_headers, piece.text, piece.fallback);
      break;
    case Field::kProtocol:
      present = appendView(out, r.protocol);
      break;
    case Field::kResponseCode:
      appendInt(out, r.response_code);
      break;
    case Field::kResponseFlags:
      present = appendView(out, r.response_flags);
      break;
    case Field::kBytesReceived:
      appendInt(out, r.bytes_received);
      break;
    case Field::kBytesSent:
      appendInt(out, r.bytes_sent);
      break;
    case Field::kDuration:
      appendInt(out, r.duration_us / 1000);
      break;
    case Field::kUpstreamServiceTime:
      present = r.upstream_service_time_us >= 0;
      if (present) appendInt(out, r.upstream_service_time_us / 1000);
      break;
    case Field::kUpstreamHost:
      present = appendView(out, r.upstream_host);
      break;
    case Field::kUpstreamCluster:
      present = appendView(out, r.upstream_cluster);
      break;
    case Field::kRouteName:
      present = appendView(out, r.route_name);
      break;
    case Field::kDownstreamRemoteAddress:
      present = appendView(out, r.downstream_remote_address);
      break;
    case Field::kDownstreamLocalAddress:
      present = appendView(out, r.downstream_local_address);
      break;
    case Field::kDynamicMetadata:
      present = false;
      if (r.metadata != nullptr) {
        for (const auto& [key, value] : *r.metadata) {
          if (key == piece.text) {
            present = appendView(out, value);
            break;
          }
        }
      }
      break;
  }
  if (piece.max_length != 0 && out.size() - mark > piece.max_length) {
    out.resize(mark + piece.max_length);
  }
  return present;
}

void AccessLogFormat::appendPieces(const std::vector<Piece>& pieces, const AccessLogRecord& record,
                                   std::string& out) {
  for (const Piece& piece : pieces) {
    if (!appendField(piece, record, out)) out += '-';
  }
}

void AccessLogFormat::render(const AccessLogRecord& record, std::string& out) const {
  if (members_.empty()) {
    appendPieces(pieces_, record, out);
    return;
  }
  renderJson(record, out);
}

void AccessLogFormat::renderJson(const AccessLogRecord& record, std::string& out) const {
  std::string value;
  for (const JsonMember& member : members_) {
    out += member.prefix;
    value.clear();
    if (member.pieces.size() == 1 && member.pieces[0].field != Field::kLiteral) {
      const Piece& only = member.pieces[0];
      if (!appendField(only, record, value)) {
        out += "null";
        continue;
      }
      bool numeric = only.field == Field::kResponseCode || only.field == Field::kBytesReceived ||
                     only.field == Field::kBytesSent || only.field == Field::kDuration ||
                     only.field == Field::kUpstreamServiceTime;
      if (numeric && only.max_length == 0) {
        out += value;
        continue;
      }
    } else {
      appendPieces(member.pieces, record, value);
    }
    json::appendString(out, value);
  }
  out += "}\n";
}

}  // namespace weft::access_log
