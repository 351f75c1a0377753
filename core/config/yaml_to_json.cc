// YAML → JSON conversion: a recursive writer with a depth limit and an output budget.
#include "core/config/yaml_to_json.h"

#include <yaml-cpp/yaml.h>

#include <set>

namespace weft::config {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendUnicodeEscape(std::string& out, uint32_t unit) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 0xf];
}

// Decodes one UTF-8 sequence at text[i]; returns its length, or 0 when the bytes there are not
// well-formed UTF-8 (overlong forms, surrogates and values beyond U+10FFFF included).
size_t decodeUtf8(std::string_view text, size_t i, uint32_t& code_point) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length;
  uint32_t min;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, min = 0x80, code_point = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, min = 0x800, code_point = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, min = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3f);
  }
  if (code_point < min || code_point > 0x10ffff) return 0;
  if (code_point >= 0xd800 && code_point <= 0xdfff) return 0;
  return length;
}

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
        appendJsonString(quoted, name);
        return Status::error("duplicate key " + quoted + lineOf(key));
      }
      if (!first) out_ += ',';
      first = false;
      appendJsonString(out_, name);
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
    appendJsonString(out_, text);
  }

  Status checkSize() const {
    if (out_.size() <= max_bytes_) return Status::ok();
    return Status::error("larger than " + std::to_string(max_bytes_) + " bytes as JSON");
  }

  size_t max_bytes_;
  std::string out_;
};

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      uint32_t code_point = 0;
      const size_t length = decodeUtf8(text, i, code_point);
      if (length == 0) {
        appendUnicodeEscape(out, 0xfffd);
        ++i;
      } else if (code_point > 0xffff) {
        code_point -= 0x10000;
        appendUnicodeEscape(out, 0xd800 | (code_point >> 10));
        appendUnicodeEscape(out, 0xdc00 | (code_point & 0x3ff));
        i += length;
      } else {
        appendUnicodeEscape(out, code_point);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          appendUnicodeEscape(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

Result<std::string> yamlToJson(const YAML::Node& node, size_t max_bytes) {
  JsonWriter writer(max_bytes);
  if (Status s = writer.write(node, 0); !s) return s;
  return writer.take();
}

}  // namespace weft::config
