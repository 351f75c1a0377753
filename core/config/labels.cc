// Reading, matching and writing label maps: see labels.h.
#include "core/config/labels.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/common/json.h"

namespace weft::config {

void readLabels(const Field& field, FieldErrors& errors, upstream::Labels& out) {
  const FieldMap map(field, /*allowed=*/{}, errors);  // any name: the user's own labels
  upstream::Labels labels;
  for (const FieldMap::Entry& entry : map.entries()) {
    if (entry.key.empty()) {
      errors.add(entry.field.mark, field.path, "a label name must not be empty");
      return;
    }
    if (!entry.field.node.IsScalar()) {
      errors.add(entry.field.mark, entry.field.path,
                 "a label value must be a string, got " + describe(entry.field.node));
      return;
    }
    labels.emplace(entry.key, entry.field.node.Scalar());
  }
  out = std::move(labels);
}

bool containsLabels(const upstream::Labels& labels, const upstream::Labels& selector) {
  // Both maps are sorted by name and hold each name once, so the selector's (name, value) pairs
  // are a subset of the labels' exactly when every name is there with the same value.
  return std::includes(labels.begin(), labels.end(), selector.begin(), selector.end());
}

std::string labelsToJson(const upstream::Labels& labels) {
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    json::appendString(out, name);
    out += ':';
    json::appendString(out, value);
  }
  out += '}';
  return out;
}

std::string describeLabels(const upstream::Labels& labels) {
  if (labels.empty()) return "(none)";
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ", ";
    out += name + "=" + value;
  }
  return out;
}

}  // namespace weft::config
