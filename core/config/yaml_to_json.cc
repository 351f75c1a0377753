// YAML → JSON conversion: a recursive writer with a depth limit and an output budget.
#include "core/config/yaml_to_json.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "core/common/json.h"

namespace weft::config {
namespace {

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(std::string_view text) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

bool isTrue(std::string_view t) { return t == "true" || t == "True" || t == "TRUE"; }
bool isFalse(std::string_view t) { return t == "false" || t == "False" || t == "FALSE"; }

std::string lineOf(const YAML::Node& node) {
  return node.Mark().is_null() ? std::string()
                               : " (line " + std::to_string(node.Mark().line + 1) + ")";
}

class JsonWriter {
 public:
  explicit JsonWriter(size_t max_bytes) : max_bytes_(max_bytes) {}

  Status write(const YAML::Node& node, size_t depth) {
    if (depth > kMaxJsonDepth) {
      return Status::error("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    switch (node.Type()) {
      case YAML::NodeType::Map:
        return writeMap(node, depth);
      case YAML::NodeType::Sequence: {
        out_ += '[';
        bool first = true;
        for (const YAML::Node& item : node) {
          if (!first) out_ += ',';
          first = false;
          if (Status s = write(item, depth + 1); !s) return s;
        }
        out_ += ']';
        break;
      }
      case YAML::NodeType::Scalar:
        writeScalar(node);
        break;
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        out_ += "null";
        break;
    }
    return checkSize();
  }

  std::string take() { return std::move(out_); }

 private:
  Status writeMap(const YAML::Node& node, size_t depth) {
    out_ += '{';
    std::set<std::string, std::less<>> keys;
    bool first = true;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar() && !key.IsNull()) {
        return Status::error("a map key must be a plain value, not a map or a list" + lineOf(key));
      }
      const std::string name = key.IsNull() ? "null" : key.Scalar();
      if (!keys.insert(name).second) {
        std::string quoted;
        json::appendString(quoted, name);
        return Status::error("duplicate key " + quoted + lineOf(key));
      }
      if (!first) out_ += ',';
      first = false;
      json::appendString(out_, name);
      out_ += ':';
      if (Status s = checkSize(); !s) return s;
      if (Status s = write(entry.second, depth + 1); !s) return s;
    }
    out_ += '}';
    return checkSize();
  }

  void writeScalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    if (node.Tag() == "?") {  // plain: the YAML 1.2 core schema decides the type
      if (isTrue(text)) {
        out_ += "true";
        return;
      }
      if (isFalse(text)) {
        out_ += "false";
        return;
      }
      if (isJsonNumber(text)) {
        out_ += text;
        return;
      }
    }
    json::appendString(out_, text);
  }

  Status checkSize() const {
    if (out_.size() <= max_bytes_) return Status::ok();
    return Status::error("larger than " + std::to_string(max_bytes_) + " bytes as JSON");
  }

  size_t max_bytes_;
  std::string out_;
};

}  // namespace

Result<std::string> yamlToJson(const YAML::Node& node, size_t max_bytes) {
  JsonWriter writer(max_bytes);
  if (Status s = writer.write(node, 0); !s) return s;
  return writer.take();
}

}  // namespace weft::config
