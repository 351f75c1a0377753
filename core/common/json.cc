// JSON string quoting: see json.h.
#include "core/common/json.h"

#include <cstdint>

namespace weft::json {
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

}  // namespace

void appendString(std::string& out, std::string_view text) {
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

std::string quoted(std::string_view text) {
  std::string out;
  appendString(out, text);
  return out;
}

}  // namespace weft::json
