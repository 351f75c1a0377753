// RouteMetadata: a route's Envoy-style `metadata`, which the router itself never reads but other
// filters look up (Lua's handle:metadata(), the filter ABI's route_metadata_get and
// route_metadata_json):
//
//   "metadata": {"filter_metadata": {"envoy.filters.http.lua": {"greeting": "hello", "n": 3,
//                                                              "tags": ["a", "b"]}}}
//
// Each filter's block is an object, kept twice: whole, as compact JSON text (for
// route_metadata_json), and key by key as text — strings as themselves, numbers and booleans as
// written ("3", "true"), maps and lists as their JSON text; a null key reads as absent. Any member
// of `metadata` other than filter_metadata is refused with the field's path
// (typed_filter_metadata: Weft has no typed config).
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
  // filter_metadata[filter] as JSON text, or nullopt.
  std::optional<std::string_view> block(std::string_view filter) const;

  bool empty() const { return filters_.empty(); }

 private:
  struct Block {
    std::string json;
    std::map<std::string, std::string, std::less<>> values;
  };
  std::map<std::string, Block, std::less<>> filters_;
};

}  // namespace weft::router
