// HeaderMap: see header_map.h.
#include "core/http/header_map.h"

#include <algorithm>

namespace weft::http {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

}  // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view lower_literal) {
  if (a.size() != lower_literal.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower_literal[i]) return false;
  }
  return true;
}

void HeaderMap::add(std::string_view name, std::string_view value) {
  HeaderEntry entry{lowered(name), std::string(value)};
  // Pseudo-headers go first; the common case (parsers add them first) is a plain append.
  bool pseudo = !entry.name.empty() && entry.name[0] == ':';
  if (pseudo && !entries_.empty() && entries_.back().name[0] != ':') {
    auto first_regular = std::find_if(entries_.begin(), entries_.end(),
                                      [](const HeaderEntry& e) { return e.name[0] != ':'; });
    entries_.insert(first_regular, std::move(entry));
    return;
  }
  entries_.push_back(std::move(entry));
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

size_t HeaderMap::byteSize() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e.name.size() + e.value.size();
  return n;
}

}  // namespace weft::http
