// gRPC helpers (core/http/grpc.h): what counts as a gRPC request, the HTTP-to-gRPC status table,
// grpc-timeout parsing, grpc-message encoding and trailers-only replies.
#include "core/http/grpc.h"

#include <boost/test/unit_test.hpp>

namespace weft::http::grpc {

BOOST_AUTO_TEST_SUITE(grpc)

BOOST_AUTO_TEST_CASE(content_types) {
  BOOST_TEST(isGrpcContentType("application/grpc"));
  BOOST_TEST(isGrpcContentType("Application/GRPC"));
  BOOST_TEST(isGrpcContentType("application/grpc+proto"));
  BOOST_TEST(isGrpcContentType("application/grpc;charset=utf-8"));
  BOOST_TEST(!isGrpcContentType("application/grpc-web+proto"));  // gRPC-Web is another protocol
  BOOST_TEST(!isGrpcContentType("application/json"));
  HeaderMap headers;
  BOOST_TEST(!isGrpcRequest(headers));
  headers.add("content-type", "application/grpc");
  BOOST_TEST(isGrpcRequest(headers));
}

BOOST_AUTO_TEST_CASE(status_table) {
  BOOST_TEST(statusForHttp(400) == kInternal);
  BOOST_TEST(statusForHttp(401) == kUnauthenticated);
  BOOST_TEST(statusForHttp(403) == kPermissionDenied);
  BOOST_TEST(statusForHttp(404) == kUnimplemented);
  for (uint32_t unavailable : {429u, 502u, 503u, 504u}) {
    BOOST_TEST(statusForHttp(unavailable) == kUnavailable);
  }
  BOOST_TEST(statusForHttp(500) == kUnknown);
}

BOOST_AUTO_TEST_CASE(timeouts) {
  BOOST_TEST(parseTimeout("1S").value_or(0) == 1000u);
  BOOST_TEST(parseTimeout("300m").value_or(0) == 300u);
  BOOST_TEST(parseTimeout("2M").value_or(0) == 120000u);
  BOOST_TEST(parseTimeout("1H").value_or(0) == 3600000u);
  BOOST_TEST(parseTimeout("1500u").value_or(0) == 2u);  // rounded up
  BOOST_TEST(parseTimeout("1n").value_or(0) == 1u);
  BOOST_TEST(!parseTimeout("").has_value());
  BOOST_TEST(!parseTimeout("S").has_value());
  BOOST_TEST(!parseTimeout("123456789S").has_value());  // more than 8 digits
  BOOST_TEST(!parseTimeout("10x").has_value());
  BOOST_TEST(!parseTimeout("-1S").has_value());
}

BOOST_AUTO_TEST_CASE(trailers_only_reply) {
  HeaderMap headers;
  makeTrailersOnlyReply(headers, kUnavailable, "upstream 100% down\n");
  BOOST_TEST(*headers.get(":status") == "200");
  BOOST_TEST(*headers.get("content-type") == "application/grpc");
  BOOST_TEST(*headers.get("grpc-status") == "14");
  BOOST_TEST(*headers.get("grpc-message") == "upstream 100%25 down%0A");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::http::grpc
