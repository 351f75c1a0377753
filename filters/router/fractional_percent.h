// FractionalPercent: Envoy's type.v3.FractionalPercent, the "how often" of fault injection and
// request mirroring:
//   {"numerator": 10, "denominator": "HUNDRED" | "TEN_THOUSAND" | "MILLION"}   (default HUNDRED)
// A numerator above the denominator means "always", as in Envoy.
//
// Plain value; rolls may run on any thread with that thread's random numbers.
#pragma once

#include <cstdint>
#include <string>

#include "core/common/status.h"

namespace YAML {
class Node;
}

namespace weft::router {

struct FractionalPercent {
  uint32_t numerator = 0;
  uint32_t denominator = 100;  // 100, 10'000 or 1'000'000

  // Parses the object at `where`.
  static Result<FractionalPercent> parse(const YAML::Node& node, const std::string& where);

  // True for `numerator` in `denominator` values of `random` (uniform over 64 bits).
  bool roll(uint64_t random) const { return random % denominator < numerator; }
};

}  // namespace weft::router
