// hashRequest: see request_hash.h.
#include "core/http/request_hash.h"

#include <cstdio>
#include <optional>
#include <string>

namespace weft::http {

upstream::HashDecision hashRequest(std::span<const upstream::HashPolicy> policies,
                                   const HeaderMap& headers, std::string_view source_ip,
                                   std::mt19937_64& random) {
  upstream::HashRequest request;
  request.header = [&headers](std::string_view name) -> std::optional<std::string_view> {
    const std::string* value = headers.get(name);
    return value ? std::optional<std::string_view>(*value) : std::nullopt;
  };
  const std::string* path = headers.get(":path");
  request.path = path ? std::string_view(*path) : std::string_view();
  request.source_ip = source_ip;
  request.new_cookie_value = [&random] {
    char text[17];
    std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(random()));
    return std::string(text);
  };
  return upstream::computeHash(policies, request);
}

}  // namespace weft::http
