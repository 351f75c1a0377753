// Internal to the HTTP/1 parser (http1_parser.cc, http1_chunked.cc): byte classes of RFC 9110
// §5.6 as one lookup table, line splitting, and the field-line rule shared by heads and trailers.
// Not part of the public interface; include http1_parser.h instead.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/http/http1_parser.h"

namespace weft::http1::syntax {

// Content-Length values and chunk sizes must fit a signed 64-bit integer (below 2^63).
inline constexpr uint64_t kMaxBodyLength = static_cast<uint64_t>(INT64_MAX);

// Bit flags of kByteClasses; one byte may be in several classes.
enum : uint8_t {
  kTchar = 1,       // token character: field names, methods, codings
  kFieldValue = 2,  // field-value byte: HTAB, SP, VCHAR, obs-text (no CTL, no DEL)
  kTarget = 4,      // request-target byte: VCHAR only (no CTL, SP, DEL or non-ASCII)
  kAuthority = 8,   // unreserved / "%" / sub-delims / ":" / "[" / "]" (RFC 3986)
  kQdtext = 16,     // quoted-string text: HTAB, SP, VCHAR except '"' and '\', obs-text
};

constexpr std::array<uint8_t, 256> makeByteClasses() {
  std::array<uint8_t, 256> table{};
  auto mark = [&table](std::string_view bytes, uint8_t flag) {
    for (char c : bytes) table[static_cast<uint8_t>(c)] |= flag;
  };
  for (int c = 0; c < 256; ++c) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool vchar = c > 0x20 && c < 0x7f;
    bool obs_text = c >= 0x80;
    uint8_t flags = 0;
    if (alnum) flags |= kTchar | kAuthority;
    if (vchar || c == ' ' || c == '\t' || obs_text) flags |= kFieldValue | kQdtext;
    if (vchar) flags |= kTarget;
    table[static_cast<size_t>(c)] = flags;
  }
  mark("!#$%&'*+-.^_`|~", kTchar);
  mark("-._~%!$&'()*+,;=:[]", kAuthority);
  table['"'] &= static_cast<uint8_t>(~kQdtext);
  table['\\'] &= static_cast<uint8_t>(~kQdtext);
  return table;
}

inline constexpr std::array<uint8_t, 256> kByteClasses = makeByteClasses();

inline bool is(char c, uint8_t byte_class) {
  return (kByteClasses[static_cast<uint8_t>(c)] & byte_class) != 0;
}

// Word-at-a-time tests, non-zero if and only if some byte of `word` matches; they let the hot
// loops below skip 8 ordinary bytes per step.
inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHighBits = 0x8080808080808080ull;
inline uint64_t anyByteBelow(uint64_t word, uint8_t limit) {  // limit <= 128
  return (word - kOnes * limit) & ~word & kHighBits;
}
inline uint64_t anyByteEqual(uint64_t word, uint8_t value) {
  uint64_t diff = word ^ (kOnes * value);
  return (diff - kOnes) & ~diff & kHighBits;
}

// True when every byte of `s` is in `byte_class`. Words of 8 bytes that hold no byte below
// `lowest_plain` and no DEL (and, unless `allow_high`, no byte >= 0x80) are known to be in the
// class and skipped; anything else is checked byte by byte.
inline bool allIn(std::string_view s, uint8_t byte_class, uint8_t lowest_plain, bool allow_high) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, sizeof(word));
    uint64_t odd = anyByteBelow(word, lowest_plain) | anyByteEqual(word, 0x7f);
    if (!allow_high) odd |= word & kHighBits;
    if (odd != 0) break;
  }
  for (; i < s.size(); ++i) {
    if (!is(s[i], byte_class)) return false;
  }
  return true;
}

// Field values: SP, VCHAR, obs-text and HTAB (RFC 9110 §5.5).
inline bool validFieldValue(std::string_view s) { return allIn(s, kFieldValue, 0x20, true); }
// Request targets: VCHAR only.
inline bool validTarget(std::string_view s) { return allIn(s, kTarget, 0x21, false); }

inline bool hasCR(std::string_view line) {
  return !line.empty() && std::memchr(line.data(), '\r', line.size()) != nullptr;
}

// Cuts the next line off the front of `rest`. `line` excludes the LF and a CR just before it
// (CRLF and bare LF both end a line, RFC 9112 §2.2). Returns false, leaving `rest` alone, when
// `rest` holds no LF.
inline bool nextLine(std::string_view& rest, std::string_view& line) {
  const void* lf = rest.empty() ? nullptr : std::memchr(rest.data(), '\n', rest.size());
  if (lf == nullptr) return false;
  size_t n = static_cast<size_t>(static_cast<const char*>(lf) - rest.data());
  line = rest.substr(0, n > 0 && rest[n - 1] == '\r' ? n - 1 : n);
  rest.remove_prefix(n + 1);
  return true;
}

// Removes optional whitespace (SP / HTAB) at both ends.
inline std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Field {
  std::string_view name;
  std::string_view value;  // OWS-trimmed
};

// Splits a field line (line end removed) into name and value per RFC 9110 §5 / RFC 9112 §5:
// the name is a non-empty token directly followed by ':', the value holds no control bytes but
// HTAB. A line starting with whitespace is obsolete folding; a CR left in the line is a bare CR.
inline ParseError parseField(std::string_view line, Field& out) {
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) return ParseError::kObsFold;
  size_t colon = 0;
  while (colon < line.size() && is(line[colon], kTchar)) ++colon;
  if (colon == 0 || colon == line.size() || line[colon] != ':') {
    return hasCR(line) ? ParseError::kBareCR : ParseError::kBadHeaderName;
  }
  std::string_view value = trimOws(line.substr(colon + 1));
  if (!validFieldValue(value)) {
    return hasCR(value) ? ParseError::kBareCR : ParseError::kBadHeaderValue;
  }
  out.name = line.substr(0, colon);
  out.value = value;
  return ParseError::kNone;
}

}  // namespace weft::http1::syntax
