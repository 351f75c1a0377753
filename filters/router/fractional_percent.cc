// FractionalPercent parsing: see fractional_percent.h.
#include "filters/router/fractional_percent.h"

#include <yaml-cpp/yaml.h>

#include <limits>

#include "filters/router/config_fields.h"

namespace weft::router {

Result<FractionalPercent> FractionalPercent::parse(const YAML::Node& node,
                                                   const std::string& where) {
  if (Status s = checkFields(node, {"numerator", "denominator"}, where); !s) return s;
  FractionalPercent p;
  if (Status s =
          readUint(node, "numerator", 0, std::numeric_limits<uint32_t>::max(), where, p.numerator);
      !s) {
    return s;
  }
  std::string denominator = "HUNDRED";
  if (Status s = readString(node, "denominator", false, where, denominator); !s) return s;
  if (denominator == "HUNDRED") {
    p.denominator = 100;
  } else if (denominator == "TEN_THOUSAND") {
    p.denominator = 10'000;
  } else if (denominator == "MILLION") {
    p.denominator = 1'000'000;
  } else {
    return fail(field(where, "denominator"),
                "must be HUNDRED, TEN_THOUSAND or MILLION, got '" + denominator + "'");
  }
  return p;
}

}  // namespace weft::router
