// HeaderMap: an ordered, multi-valued list of HTTP fields, the one shape every codec produces
// and every filter sees. Names are stored lower-case. Request and response heads travel as
// HTTP/2-style pseudo-headers (":method", ":path", ":authority", ":scheme", ":status") kept at
// the front, so HTTP/1 and HTTP/2 streams look the same to filters.
//
// Lookups are linear: real heads hold a few dozen fields, where a scan beats hashing.
// Not thread-safe; a map belongs to one stream on one worker.
#pragma once

#include <cstddef>
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

 private:
  std::vector<HeaderEntry> entries_;
};

// Case-insensitive ASCII comparison of a field name with a lower-case literal.
bool equalsIgnoreCase(std::string_view a, std::string_view lower);

}  // namespace weft::http
