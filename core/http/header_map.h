// HeaderMap: an ordered, multi-valued list of HTTP fields, the one shape every codec produces
// and every filter sees. Names are stored lower-case. Request and response heads travel as
// HTTP/2-style pseudo-headers (":method", ":path", ":authority", ":scheme", ":status") kept at
// the front, so HTTP/1 and HTTP/2 streams look the same to filters.
//
// Lookups are linear: real heads hold a few dozen fields, where a scan beats hashing.
// Not thread-safe; a map belongs to one stream on one worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::http {

struct HeaderEntry {
  std::string name;  // lower-case
  std::string value;
};

class HeaderMap {
 public:
  // Appends a field; `name` is lower-cased. Pseudo-headers go before every regular field.
  void add(std::string_view name, std::string_view value);
  // Replaces every value of `name` with one value (appends if absent).
  void set(std::string_view name, std::string_view value);
  // Removes every value of `name`; returns how many were removed.
  size_t remove(std::string_view name);

  // The first value of `name`, or nullptr. The pointer lives until the map changes.
  const std::string* get(std::string_view name) const;
  // The number of values of `name`, and the index-th of them (nullptr past the end).
  size_t count(std::string_view name) const;
  const std::string* get(std::string_view name, size_t index) const;
  bool has(std::string_view name) const { return get(name) != nullptr; }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const HeaderEntry& at(size_t i) const { return entries_[i]; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  void clear() { entries_.clear(); }
  void reserve(size_t n) { entries_.reserve(n); }

  // Bytes of names and values, the figure the header-size limits are checked against.
  size_t byteSize() const;
  // A response's ":status" as a number: 0 when absent or not three digits (codecs admit no other).
  uint32_t statusCode() const;

 private:
  std::vector<HeaderEntry> entries_;
};

// ASCII case folding, eight bytes at a time: names are lower-cased and compared for every field
// of every message. Inline, so comparisons with literals fold their lengths.
namespace ascii {
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline uint64_t load(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// `word` with its ASCII upper-case letters lower-cased: a byte's high bit ends up set by the first
// sum when the byte is >= 'A', by the second when it is > 'Z'; bytes >= 0x80 are left alone.
inline uint64_t lowerWord(uint64_t word) {
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
  uint64_t seven = word & kLow7;
  uint64_t at_least_a = seven + 0x3f3f3f3f3f3f3f3full;
  uint64_t above_z = seven + 0x2525252525252525ull;
  uint64_t upper = at_least_a & ~above_z & ~word & kHigh;
  return word | (upper >> 2);  // 0x80 >> 2 is the case bit, 0x20
}
}  // namespace ascii

// Case-insensitive ASCII comparison of a field name with a lower-case literal.
inline bool equalsIgnoreCase(std::string_view a, std::string_view lower) {
  const size_t n = a.size();
  if (n != lower.size()) return false;
  if (n < sizeof(uint64_t)) {
    for (size_t i = 0; i < n; ++i) {
      if (ascii::lower(a[i]) != lower[i]) return false;
    }
    return true;
  }
  // The last word may overlap the one before it.
  for (size_t i = 0;; i += sizeof(uint64_t)) {
    if (i + sizeof(uint64_t) > n) i = n - sizeof(uint64_t);
    if (ascii::lowerWord(ascii::load(a.data() + i)) != ascii::load(lower.data() + i)) return false;
    if (i + sizeof(uint64_t) == n) return true;
  }
}

}  // namespace weft::http
