// Typed reads of a filter's JSON config (parsed with yaml-cpp), shared by the router and the fault
// filter. Every error names the field path from the config's root, e.g.
//   "virtual_hosts[0].routes[2].match.prefix: must start with '/'"
// and unknown keys are errors, so a config that asks for a feature Weft lacks fails loudly instead
// of being half-applied.
//
// Config parsing runs on the main thread; nothing here is used on the data path. The readers
// catch nothing: yaml-cpp exceptions reach the caller, which turns them into a message.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace YAML {
class Node;
}

namespace weft::router {

// "<where>.<name>" ("<name>" at the root) and "<where>[i]": how field paths are spelt.
std::string field(const std::string& where, std::string_view name);
std::string indexed(const std::string& where, size_t i);

// An error "<where>: <what>" ("<what>" when `where` is empty).
Status fail(const std::string& where, std::string_view what);

// Fails unless `node` is a map; then rejects any key outside `allowed`, listing the allowed ones.
Status checkFields(const YAML::Node& node, std::initializer_list<std::string_view> allowed,
                   const std::string& where);

// How many of `keys` `map` holds: for "exactly one of" / "at most one of" rules.
size_t countPresent(const YAML::Node& map, std::initializer_list<const char*> keys);

// Each reader leaves `out` untouched when the key is absent (an error when `required`), stores the
// value when it is well-formed, and otherwise returns an error naming "<where>.<key>".

// A non-empty scalar (numbers and booleans read as their text).
Status readString(const YAML::Node& map, const char* key, bool required, const std::string& where,
                  std::string& out);
// A scalar, possibly empty (header values, bodies).
Status readText(const YAML::Node& map, const char* key, const std::string& where, std::string& out);
// A decimal integer in [min, max].
Status readUint(const YAML::Node& map, const char* key, uint64_t min, uint64_t max,
                const std::string& where, uint32_t& out);
// The same for a value already in hand (a list item) at `where`.
Status readUintValue(const YAML::Node& value, uint64_t min, uint64_t max, const std::string& where,
                     uint32_t& out);
// true or false.
Status readBool(const YAML::Node& map, const char* key, const std::string& where, bool& out);
// A duration: "250ms", "2s", "1m", "1h" or a bare number of milliseconds (below 24h).
Status readDurationMs(const YAML::Node& map, const char* key, const std::string& where,
                      std::optional<uint32_t>& out);
// A list of non-empty strings.
Status readStringList(const YAML::Node& map, const char* key, const std::string& where,
                      std::vector<std::string>& out);

// Workload labels: name → value (Istio's sourceLabels, the node's labels).
using Labels = std::map<std::string, std::string, std::less<>>;
// A map of non-empty names to strings (possibly empty).
Status readLabels(const YAML::Node& map, const char* key, const std::string& where, Labels& out);

// Fails when `node` (the value at `where`) is present but not a list.
Status checkList(const YAML::Node& node, const std::string& where);
// Fails when `node` (the value at `where`) is absent or not a map.
Status checkMap(const YAML::Node& node, const std::string& where);

}  // namespace weft::router
