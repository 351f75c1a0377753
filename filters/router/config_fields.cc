// Typed reads of JSON config fields: see config_fields.h.
#include "filters/router/config_fields.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

#include "core/config/yaml_fields.h"

namespace weft::router {

std::string field(const std::string& where, std::string_view name) {
  return where.empty() ? std::string(name) : where + "." + std::string(name);
}

std::string indexed(const std::string& where, size_t i) {
  return where + "[" + std::to_string(i) + "]";
}

Status fail(const std::string& where, std::string_view what) {
  return Status::error((where.empty() ? std::string() : where + ": ") + std::string(what));
}

Status checkFields(const YAML::Node& node, std::initializer_list<std::string_view> allowed,
                   const std::string& where) {
  if (!node.IsMap()) return fail(where, "must be an object");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return fail(where, "unknown field '" + key + "' (supported: " + list + ")");
    }
  }
  return Status::ok();
}

size_t countPresent(const YAML::Node& map, std::initializer_list<const char*> keys) {
  return static_cast<size_t>(
      std::count_if(keys.begin(), keys.end(), [&](const char* key) { return bool(map[key]); }));
}

Status readString(const YAML::Node& map, const char* key, bool required, const std::string& where,
                  std::string& out) {
  const YAML::Node value = map[key];
  if (!value) return required ? fail(field(where, key), "required") : Status::ok();
  if (!value.IsScalar() || value.Scalar().empty()) {
    return fail(field(where, key), "must be a non-empty string");
  }
  out = value.Scalar();
  return Status::ok();
}

Status readText(const YAML::Node& map, const char* key, const std::string& where,
                std::string& out) {
  const YAML::Node value = map[key];
  if (!value) return Status::ok();
  if (!value.IsScalar()) return fail(field(where, key), "must be a string");
  out = value.Scalar();
  return Status::ok();
}

Status readUint(const YAML::Node& map, const char* key, uint64_t min, uint64_t max,
                const std::string& where, uint32_t& out) {
  const YAML::Node value = map[key];
  return value ? readUintValue(value, min, max, field(where, key), out) : Status::ok();
}

Status readUintValue(const YAML::Node& value, uint64_t min, uint64_t max, const std::string& where,
                     uint32_t& out) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!value.IsScalar()) return fail(where, "must be an integer " + range);
  const std::string& text = value.Scalar();
  uint64_t parsed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size() || parsed < min || parsed > max) {
    return fail(where, "must be an integer " + range + ", got '" + text + "'");
  }
  out = static_cast<uint32_t>(parsed);
  return Status::ok();
}

Status readBool(const YAML::Node& map, const char* key, const std::string& where, bool& out) {
  const YAML::Node value = map[key];
  if (!value) return Status::ok();
  if (value.IsScalar() && (value.Scalar() == "true" || value.Scalar() == "false")) {
    out = value.Scalar() == "true";
    return Status::ok();
  }
  return fail(field(where, key), "must be true or false");
}

Status readDurationMs(const YAML::Node& map, const char* key, const std::string& where,
                      std::optional<uint32_t>& out) {
  const YAML::Node value = map[key];
  if (!value) return Status::ok();
  if (!value.IsScalar()) return fail(field(where, key), "must be a duration");
  Result<uint32_t> ms = config::parseDurationMs(value.Scalar());
  if (!ms) return fail(field(where, key), ms.status().message());
  out = *ms;
  return Status::ok();
}

Status readStringList(const YAML::Node& map, const char* key, const std::string& where,
                      std::vector<std::string>& out) {
  const YAML::Node list = map[key];
  const std::string list_where = field(where, key);
  if (Status s = checkList(list, list_where); !s) return s;
  for (size_t i = 0; list && i < list.size(); ++i) {
    if (!list[i].IsScalar() || list[i].Scalar().empty()) {
      return fail(indexed(list_where, i), "must be a non-empty string");
    }
    out.push_back(list[i].Scalar());
  }
  return Status::ok();
}

Status readLabels(const YAML::Node& map, const char* key, const std::string& where, Labels& out) {
  const YAML::Node labels = map[key];
  if (!labels) return Status::ok();
  const std::string labels_where = field(where, key);
  if (!labels.IsMap()) return fail(labels_where, "must be an object");
  Labels read;
  for (const auto& entry : labels) {
    const std::string name = entry.first.Scalar();
    if (name.empty()) return fail(labels_where, "a label name must not be empty");
    if (!entry.second.IsScalar()) return fail(field(labels_where, name), "must be a string");
    read.emplace(name, entry.second.Scalar());
  }
  out = std::move(read);
  return Status::ok();
}

Status checkList(const YAML::Node& node, const std::string& where) {
  if (node && !node.IsSequence()) return fail(where, "must be a list");
  return Status::ok();
}

Status checkMap(const YAML::Node& node, const std::string& where) {
  if (!node || !node.IsMap()) return fail(where, "required, an object");
  return Status::ok();
}

}  // namespace weft::router
