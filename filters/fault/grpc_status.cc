// gRPC content-type detection and the HTTP → gRPC status table: see grpc_status.h.
#include "filters/fault/grpc_status.h"

#include "filters/router/string_matcher.h"

namespace weft::fault {

bool isGrpcContentType(std::string_view content_type) {
  return router::startsWith(content_type, "application/grpc", /*ignore_case=*/true);
}

uint32_t grpcStatusForHttp(uint32_t http_status) {
  constexpr uint32_t kInternal = 13, kUnauthenticated = 16, kPermissionDenied = 7,
                     kUnimplemented = 12, kUnavailable = 14, kUnknown = 2;
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

}  // namespace weft::fault
