// RouteMetadata: a route's Envoy-style `metadata`, which the router itself never reads but other
// filters look up (Lua's handle:metadata(), the filter ABI's route_metadata_get):
//
//   "metadata": {"filter_metadata": {"envoy.filters.http.lua": {"greeting": "hello", "n": 3}}}
//
// Each filter's block is a flat map of keys to scalars — strings, numbers and booleans, all kept
// as their text ("3", "true"). Nested maps, lists and nulls are refused with the field's path;
// so is any member of `metadata` other than filter_metadata (typed_filter_metadata: Weft has no
// typed config).
//
// Parsed on the main thread; immutable afterwards and read concurrently by every worker. Lookups
// return views into the metadata, valid as long as the route table.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace YAML {
class Node;
}

namespace weft::router {

class RouteMetadata {
 public:
  // Reads `node` (the route's "metadata" value, at `where`); absent leaves `out` empty.
  static Status parse(const YAML::Node& node, const std::string& where, RouteMetadata& out);

  // The value of `key` in filter_metadata[filter], or nullopt.
  std::optional<std::string_view> get(std::string_view filter, std::string_view key) const;

  bool empty() const { return filters_.empty(); }

 private:
  using Values = std::map<std::string, std::string, std::less<>>;
  std::map<std::string, Values, std::less<>> filters_;
};

}  // namespace weft::router
