// hash64: the 64-bit hash behind consistent hashing — of request attributes (hash_policy.h), of
// ring points and of Maglev permutations. It is XXH64 (xxHash's 64-bit variant), written here
// from its published specification, so keys match other XXH64 implementations bit for bit.
#pragma once

#include <cstdint>
#include <string_view>

namespace weft::upstream {

uint64_t hash64(std::string_view data, uint64_t seed = 0);

}  // namespace weft::upstream
