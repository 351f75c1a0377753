// gRPC helpers: see grpc.h.
#include "core/http/grpc.h"

#include <cstdio>

namespace weft::http::grpc {

bool isGrpcContentType(std::string_view value) {
  constexpr std::string_view kGrpc = "application/grpc";
  if (value.size() < kGrpc.size() || !equalsIgnoreCase(value.substr(0, kGrpc.size()), kGrpc)) {
    return false;
  }
  return value.size() == kGrpc.size() || value[kGrpc.size()] == '+' || value[kGrpc.size()] == ';';
}

bool isGrpcRequest(const HeaderMap& request_headers) {
  const std::string* type = request_headers.get("content-type");
  return type && isGrpcContentType(*type);
}

uint32_t statusForHttp(uint32_t http_status) {
  switch (http_status) {
    case 400:
      return kInternal;
    case 401:
      return kUnauthenticated;
    case 403:
      return kPermissionDenied;
    case 404:
      return kUnimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return kUnavailable;
    default:
      return kUnknown;
  }
}

std::optional<uint64_t> parseTimeout(std::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  uint64_t amount = 0;
  for (char c : value.substr(0, value.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    amount = amount * 10 + static_cast<uint64_t>(c - '0');
  }
  auto ceilDiv = [](uint64_t n, uint64_t d) { return (n + d - 1) / d; };
  switch (value.back()) {
    case 'H':
      return amount * 3600 * 1000;
    case 'M':
      return amount * 60 * 1000;
    case 'S':
      return amount * 1000;
    case 'm':
      return amount;
    case 'u':
      return ceilDiv(amount, 1000);
    case 'n':
      return ceilDiv(amount, 1000 * 1000);
    default:
      return std::nullopt;
  }
}

std::string encodeMessage(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (unsigned char c : message) {
    if (c >= 0x20 && c <= 0x7e && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", c);
      out.append(escaped);
    }
  }
  return out;
}

void makeTrailersOnlyReply(HeaderMap& headers, uint32_t grpc_status, std::string_view message) {
  headers.set(":status", "200");
  headers.set("content-type", "application/grpc");
  headers.set("grpc-status", std::to_string(grpc_status));
  if (!message.empty()) headers.set("grpc-message", encodeMessage(message));
}

}  // namespace weft::http::grpc
