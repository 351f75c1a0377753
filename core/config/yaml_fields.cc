// Typed YAML field readers and the error collector they report to.
#include "core/config/yaml_fields.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/common/json.h"
#include "core/config/yaml_to_json.h"

namespace weft::config {
namespace {

constexpr uint32_t kDayMs = 24 * 60 * 60 * 1000;

// The scalar text of a value that must be a scalar; records "<what>, got <value>" otherwise.
const std::string* scalarOr(const Field& field, std::string_view what, FieldErrors& errors) {
  if (field.node.IsScalar()) return &field.node.Scalar();
  errors.add(field.mark, field.path, std::string(what) + ", got " + describe(field.node));
  return nullptr;
}

std::string rangeText(uint32_t min, uint32_t max) {
  constexpr uint32_t kMax = std::numeric_limits<uint32_t>::max();
  if (max == kMax && min == 0) return "must be a non-negative integer";
  if (max == kMax && min == 1) return "must be a positive integer";
  return "must be an integer " + std::to_string(min) + ".." + std::to_string(max);
}

// Parses all of `text` as decimal digits; false on anything else or on overflow.
bool parseDecimal(std::string_view text, uint64_t& out) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string FieldErrors::location(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return source_;
  return source_ + ":" + std::to_string(mark.line + 1);
}

void FieldErrors::add(const YAML::Mark& at, std::string_view path, std::string_view what) {
  if (message_.has_value()) return;
  std::string message = location(at) + ": ";
  if (!path.empty()) message.append(path).append(": ");
  message.append(what);
  message_ = std::move(message);
}

Status FieldErrors::status() const {
  return message_.has_value() ? Status::error(*message_) : Status::ok();
}

std::string joinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string path(parent);
  path += '.';
  path += key;
  return path;
}

std::string quoted(std::string_view text) {
  std::string out;
  json::appendString(out, text);
  return out;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return quoted(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "null";
}

FieldMap::FieldMap(const Field& field, std::span<const std::string_view> allowed,
                   FieldErrors& errors)
    : errors_(errors), path_(field.path), mark_(field.mark) {
  if (!field.node.IsMap()) {
    errors.add(field.mark, field.path, "must be a map, got " + describe(field.node));
    return;
  }
  is_map_ = true;
  for (const auto& kv : field.node) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) {
      errors.add(key.Mark(), path_, "a key must be a plain name, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    Field value{kv.second, key.Mark(), joinPath(path_, name)};
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string expected;
      for (std::string_view known : allowed) {
        if (!expected.empty()) expected += ", ";
        expected += known;
      }
      errors.add(value.mark, value.path, "unknown field (expected one of: " + expected + ")");
      continue;
    }
    if (const std::optional<Field> first = get(name)) {
      errors.add(value.mark, value.path,
                 "set twice (first at line " + std::to_string(first->mark.line + 1) + ")");
      continue;
    }
    entries_.push_back({name, std::move(value)});
  }
}

std::optional<Field> FieldMap::get(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return entry.field;
  }
  return std::nullopt;
}

std::optional<Field> FieldMap::require(std::string_view key, std::string_view why) const {
  std::optional<Field> field = get(key);
  if (!field && is_map_) {
    std::string what = "missing required field";
    if (!why.empty()) what.append(" (").append(why).append(")");
    errors_.add(mark_, joinPath(path_, key), what);
  }
  return field;
}

bool readString(const Field& field, FieldErrors& errors, std::string& out) {
  const std::string* text = scalarOr(field, "must be a string", errors);
  if (text == nullptr) return false;
  if (text->empty()) {
    errors.add(field.mark, field.path, "must not be empty");
    return false;
  }
  out = *text;
  return true;
}

bool readUint(const Field& field, uint32_t min, uint32_t max, FieldErrors& errors, uint32_t& out) {
  const std::string* text = scalarOr(field, rangeText(min, max), errors);
  if (text == nullptr) return false;
  uint64_t value = 0;
  if (!parseDecimal(*text, value) || value < min || value > max) {
    errors.add(field.mark, field.path, rangeText(min, max) + ", got " + describe(field.node));
    return false;
  }
  out = static_cast<uint32_t>(value);
  return true;
}

bool readBool(const Field& field, FieldErrors& errors, bool& out) {
  constexpr std::string_view kWhat = "must be true or false";
  const std::string* text = scalarOr(field, kWhat, errors);
  if (text == nullptr) return false;
  if (*text == "true" || *text == "True" || *text == "TRUE") {
    out = true;
  } else if (*text == "false" || *text == "False" || *text == "FALSE") {
    out = false;
  } else {
    errors.add(field.mark, field.path, std::string(kWhat) + ", got " + describe(field.node));
    return false;
  }
  return true;
}

bool readDuration(const Field& field, uint32_t min_ms, FieldErrors& errors, uint32_t& out_ms) {
  const std::string* text = scalarOr(field, "must be a duration", errors);
  if (text == nullptr) return false;
  Result<uint32_t> ms = parseDurationMs(*text);
  if (!ms) {
    errors.add(field.mark, field.path, ms.status().message() + ", got " + describe(field.node));
    return false;
  }
  if (*ms < min_ms) {
    errors.add(field.mark, field.path,
               "must be at least " + std::to_string(min_ms) + "ms, got " + describe(field.node));
    return false;
  }
  out_ms = *ms;
  return true;
}

std::vector<Field> readList(const Field& field, FieldErrors& errors) {
  std::vector<Field> items;
  if (!field.node.IsSequence()) {
    errors.add(field.mark, field.path, "must be a list, got " + describe(field.node));
    return items;
  }
  items.reserve(field.node.size());
  for (const YAML::Node& item : field.node) {
    const YAML::Mark mark = item.Mark().is_null() ? field.mark : item.Mark();
    items.push_back({item, mark, field.path + "[" + std::to_string(items.size()) + "]"});
  }
  return items;
}

std::vector<Field> readNonEmptyList(const Field& field, FieldErrors& errors) {
  std::vector<Field> items = readList(field, errors);
  if (items.empty() && field.node.IsSequence()) {
    errors.add(field.mark, field.path, "must not be empty");
  }
  return items;
}

Result<uint32_t> parseDurationMs(std::string_view text) {
  if (!text.empty() && text.front() == '-') return Status::error("must not be negative");
  const size_t digits = std::min(text.find_first_not_of("0123456789"), text.size());
  const std::string_view unit = text.substr(digits);
  uint64_t scale = 0;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 60 * 60 * 1000;
  }
  if (scale == 0 || digits == 0) {
    return Status::error(
        "must be a duration like 250ms, 2s, 1m or 1h (a bare number means milliseconds)");
  }
  uint64_t count = 0;
  if (!parseDecimal(text.substr(0, digits), count) || count >= kDayMs / scale + 1 ||
      count * scale >= kDayMs) {
    return Status::error("must be less than 24h");
  }
  return static_cast<uint32_t>(count * scale);
}

}  // namespace weft::config
