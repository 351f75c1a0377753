// The consistent-hash key of one proxied request: the cluster's hash policies
// (upstream/hash_policy.h) applied to its headers, path and client address. A cookie policy whose
// cookie is absent gets a fresh random value, and the decision says which Set-Cookie the response
// must carry so later requests stick to the same host.
#pragma once

#include <random>
#include <span>
#include <string_view>

#include "core/http/header_map.h"
#include "core/upstream/hash_policy.h"

namespace weft::http {

upstream::HashDecision hashRequest(std::span<const upstream::HashPolicy> policies,
                                   const HeaderMap& headers, std::string_view source_ip,
                                   std::mt19937_64& random);

}  // namespace weft::http
