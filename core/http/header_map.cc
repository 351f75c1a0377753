// HeaderMap: see header_map.h.
#include "core/http/header_map.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace weft::http {
namespace {

// Lower-cases the `n` bytes at `p` in place.
void lowerInPlace(char* p, size_t n) {
  if (n < sizeof(uint64_t)) {
    for (size_t i = 0; i < n; ++i) p[i] = ascii::lower(p[i]);
    return;
  }
  // The last word may overlap the one before it: lower-casing twice changes nothing.
  for (size_t i = 0;; i += sizeof(uint64_t)) {
    if (i + sizeof(uint64_t) > n) i = n - sizeof(uint64_t);
    uint64_t word = ascii::lowerWord(ascii::load(p + i));
    std::memcpy(p + i, &word, sizeof(word));
    if (i + sizeof(uint64_t) == n) return;
  }
}

void fill(HeaderEntry& entry, std::string_view name, std::string_view value) {
  entry.name.assign(name);
  lowerInPlace(entry.name.data(), entry.name.size());
  entry.value.assign(value);
}

}  // namespace

void HeaderMap::add(std::string_view name, std::string_view value) {
  // Pseudo-headers go first; the common case (parsers add them first) is a plain append.
  bool pseudo = !name.empty() && name[0] == ':';
  auto position = entries_.end();
  if (pseudo && !entries_.empty() && entries_.back().name[0] != ':') {
    position = std::find_if(entries_.begin(), entries_.end(),
                            [](const HeaderEntry& e) { return e.name[0] != ':'; });
  }
  // `name` or `value` may view one of this map's own fields (a filter copying a field): build the
  // entry in place only when no existing entry moves, i.e. an append within the capacity.
  if (position == entries_.end() && entries_.size() < entries_.capacity()) {
    fill(entries_.emplace_back(), name, value);
    return;
  }
  HeaderEntry entry;
  fill(entry, name, value);
  entries_.insert(position, std::move(entry));
}

void HeaderMap::set(std::string_view name, std::string_view value) {
  bool replaced = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!equalsIgnoreCase(name, it->name)) {
      ++it;
    } else if (!replaced) {
      it->value.assign(value);
      replaced = true;
      ++it;
    } else {
      it = entries_.erase(it);
    }
  }
  if (!replaced) add(name, value);
}

size_t HeaderMap::remove(std::string_view name) {
  auto tail = std::remove_if(entries_.begin(), entries_.end(),
                             [&](const HeaderEntry& e) { return equalsIgnoreCase(name, e.name); });
  size_t removed = static_cast<size_t>(entries_.end() - tail);
  entries_.erase(tail, entries_.end());
  return removed;
}

const std::string* HeaderMap::get(std::string_view name) const { return get(name, 0); }

size_t HeaderMap::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& e : entries_) n += equalsIgnoreCase(name, e.name) ? 1 : 0;
  return n;
}

const std::string* HeaderMap::get(std::string_view name, size_t index) const {
  for (const auto& e : entries_) {
    if (e.name.size() == name.size() && equalsIgnoreCase(name, e.name) && index-- == 0) {
      return &e.value;
    }
  }
  return nullptr;
}

uint32_t HeaderMap::statusCode() const {
  const std::string* status = get(":status");
  if (status == nullptr || status->size() != 3) return 0;
  uint32_t code = 0;
  for (char c : *status) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + static_cast<uint32_t>(c - '0');
  }
  return code;
}

size_t HeaderMap::byteSize() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e.name.size() + e.value.size();
  return n;
}

}  // namespace weft::http
