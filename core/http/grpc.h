// gRPC over HTTP/2, as the proxy needs to know it (the protocol spec's "HTTP/2 transport"): telling
// a gRPC request apart, answering one locally the way gRPC clients understand (trailers-only, with
// grpc-status and grpc-message, never an HTML or text page), and reading its deadline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/header_map.h"

namespace weft::http::grpc {

// gRPC status codes used by the proxy (google.rpc.Code).
enum Status : uint32_t {
  kOk = 0,
  kUnknown = 2,
  kDeadlineExceeded = 4,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

// application/grpc, or application/grpc+<codec> / ;<params>, compared case-insensitively
// (gRPC-Web, application/grpc-web*, is another protocol).
bool isGrpcContentType(std::string_view content_type);
// The request's content-type is gRPC's.
bool isGrpcRequest(const HeaderMap& request_headers);

// The gRPC status a client should see for an HTTP status (the spec's mapping table; others are
// UNKNOWN).
uint32_t statusForHttp(uint32_t http_status);

// grpc-timeout ("<1-8 digits><H|M|S|m|u|n>") in milliseconds, rounded up; nullopt if malformed.
std::optional<uint64_t> parseTimeout(std::string_view value);

// grpc-message's percent-encoding: bytes outside 0x20..0x7E and '%' become %XX.
std::string encodeMessage(std::string_view message);

// Fills `headers` with a trailers-only gRPC response: :status 200, content-type application/grpc,
// grpc-status and grpc-message (any fields already in `headers` stay).
void makeTrailersOnlyReply(HeaderMap& headers, uint32_t grpc_status, std::string_view message);

}  // namespace weft::http::grpc
