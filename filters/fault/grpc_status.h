// gRPC facts the fault filter needs to answer a gRPC client: whether a request is gRPC, and which
// grpc-status stands for an HTTP status (the table in gRPC's doc/http-grpc-status-mapping.md,
// which Envoy uses too). Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace weft::fault {

// A content-type starting with "application/grpc" (application/grpc, application/grpc+proto,
// application/grpc-web, ...), compared case-insensitively.
bool isGrpcContentType(std::string_view content_type);

// 400 → INTERNAL (13), 401 → UNAUTHENTICATED (16), 403 → PERMISSION_DENIED (7),
// 404 → UNIMPLEMENTED (12), 429 / 502 / 503 / 504 → UNAVAILABLE (14), anything else → UNKNOWN (2).
uint32_t grpcStatusForHttp(uint32_t http_status);

}  // namespace weft::fault
