// FaultConfig parsing: see fault_config.h.
#include "filters/fault/fault_config.h"

#include <yaml-cpp/yaml.h>

#include <limits>

#include "filters/router/config_fields.h"

namespace weft::fault {
namespace {

using router::checkFields;
using router::fail;
using router::field;

Result<router::FractionalPercent> readPercentage(const YAML::Node& node, const std::string& where) {
  const std::string percentage_where = field(where, "percentage");
  if (!node["percentage"]) {
    return fail(percentage_where, "required (a missing percentage would mean 0%)");
  }
  return router::FractionalPercent::parse(node["percentage"], percentage_where);
}

Result<FaultDelay> parseDelay(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node, {"fixed_delay", "percentage"}, where); !s) return s;
  std::optional<uint32_t> ms;
  if (Status s = router::readDurationMs(node, "fixed_delay", where, ms); !s) return s;
  if (!ms) return fail(field(where, "fixed_delay"), "required");
  Result<router::FractionalPercent> percentage = readPercentage(node, where);
  if (!percentage) return percentage.status();
  return FaultDelay{*ms, *percentage};
}

Result<FaultAbort> parseAbort(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node, {"http_status", "grpc_status", "percentage"}, where); !s) {
    return s;
  }
  if (router::countPresent(node, {"http_status", "grpc_status"}) != 1) {
    return fail(where, "needs exactly one of http_status, grpc_status");
  }
  FaultAbort abort;
  uint32_t code = 0;
  if (node["http_status"]) {
    if (Status s = router::readUint(node, "http_status", 200, 599, where, code); !s) return s;
    abort.http_status = code;
  } else {
    if (Status s = router::readUint(node, "grpc_status", 0, 16, where, code); !s) return s;
    abort.grpc_status = code;
  }
  Result<router::FractionalPercent> percentage = readPercentage(node, where);
  if (!percentage) return percentage.status();
  abort.percentage = *percentage;
  return abort;
}

Status parseInto(const YAML::Node& root, FaultConfig& config) {
  if (Status s = checkFields(root, {"delay", "abort", "headers", "max_active_faults"}, ""); !s) {
    return s;
  }
  if (!root["delay"] && !root["abort"]) return fail("", "needs delay, abort or both");
  if (root["delay"]) {
    Result<FaultDelay> delay = parseDelay(root["delay"], "delay");
    if (!delay) return delay.status();
    config.delay = *delay;
  }
  if (root["abort"]) {
    Result<FaultAbort> abort = parseAbort(root["abort"], "abort");
    if (!abort) return abort.status();
    config.abort = *abort;
  }
  if (Status s = router::parseHeaderMatchers(root, "headers", "", config.headers); !s) return s;
  if (root["max_active_faults"]) {
    uint32_t max = 0;
    if (Status s = router::readUint(root, "max_active_faults", 1,
                                    std::numeric_limits<uint32_t>::max(), "", max);
        !s) {
      return s;
    }
    config.max_active_faults = max;
  }
  return Status::ok();
}

}  // namespace

Result<FaultConfig> FaultConfig::parse(std::string_view json) {
  FaultConfig config;
  try {
    const YAML::Node root = YAML::Load(std::string(json));
    if (Status s = parseInto(root, config); !s) return Status::error("fault: " + s.message());
  } catch (const YAML::Exception& e) {
    return Status::error("fault: invalid JSON: " + e.msg);
  }
  return config;
}

}  // namespace weft::fault
