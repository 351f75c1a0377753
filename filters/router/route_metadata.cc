// RouteMetadata parsing (main thread) and lookup (workers).
#include "filters/router/route_metadata.h"

#include <yaml-cpp/yaml.h>

#include "filters/router/config_fields.h"

namespace weft::router {

Status RouteMetadata::parse(const YAML::Node& node, const std::string& where, RouteMetadata& out) {
  if (!node) return Status::ok();
  if (Status s = checkFields(node, {"filter_metadata"}, where); !s) return s;
  const std::string filters_where = field(where, "filter_metadata");
  const YAML::Node filters = node["filter_metadata"];
  if (!filters) return Status::ok();
  if (Status s = checkMap(filters, filters_where); !s) return s;
  for (const auto& filter : filters) {
    const std::string filter_name = filter.first.Scalar();
    const std::string filter_where = field(filters_where, filter_name);
    if (filter_name.empty()) return fail(filters_where, "a filter name must not be empty");
    if (Status s = checkMap(filter.second, filter_where); !s) return s;
    Values& values = out.filters_[filter_name];
    for (const auto& entry : filter.second) {
      const std::string key = entry.first.Scalar();
      if (!entry.second.IsScalar()) {
        return fail(field(filter_where, key),
                    "must be a string, number or boolean (nested maps, lists and nulls are not "
                    "supported)");
      }
      values[key] = entry.second.Scalar();
    }
  }
  return Status::ok();
}

std::optional<std::string_view> RouteMetadata::get(std::string_view filter,
                                                   std::string_view key) const {
  const auto values = filters_.find(filter);
  if (values == filters_.end()) return std::nullopt;
  const auto value = values->second.find(key);
  if (value == values->second.end()) return std::nullopt;
  return std::string_view(value->second);
}

}  // namespace weft::router
