// RouteMetadata parsing (main thread) and lookup (workers).
#include "filters/router/route_metadata.h"

#include <yaml-cpp/yaml.h>

#include "core/config/yaml_to_json.h"
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
    Result<std::string> json = config::yamlToJson(filter.second);
    if (!json) return fail(filter_where, json.status().message());
    Block& block = out.filters_[filter_name];
    block.json = std::move(*json);
    for (const auto& entry : filter.second) {
      const YAML::Node& value = entry.second;
      if (value.IsNull()) continue;  // Envoy's null_value: reads as absent
      if (value.IsScalar()) {
        block.values[entry.first.Scalar()] = value.Scalar();
        continue;
      }
      Result<std::string> nested = config::yamlToJson(value);
      if (!nested)
        return fail(field(filter_where, entry.first.Scalar()), nested.status().message());
      block.values[entry.first.Scalar()] = std::move(*nested);
    }
  }
  return Status::ok();
}

std::optional<std::string_view> RouteMetadata::get(std::string_view filter,
                                                   std::string_view key) const {
  const auto found = filters_.find(filter);
  if (found == filters_.end()) return std::nullopt;
  const auto value = found->second.values.find(key);
  if (value == found->second.values.end()) return std::nullopt;
  return std::string_view(value->second);
}

std::optional<std::string_view> RouteMetadata::block(std::string_view filter) const {
  const auto found = filters_.find(filter);
  if (found == filters_.end()) return std::nullopt;
  return std::string_view(found->second.json);
}

}  // namespace weft::router
