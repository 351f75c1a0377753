// Domain maps and wildcard indexes: see domain_index.h.
#include "filters/router/domain_index.h"

#include <algorithm>

#include "filters/router/string_matcher.h"

namespace weft::router {

size_t CaseInsensitiveHash::operator()(std::string_view s) const noexcept {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : s) {
    h ^= static_cast<unsigned char>(lowerAscii(c));
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

bool CaseInsensitiveEqual::operator()(std::string_view a, std::string_view b) const noexcept {
  return equalsIgnoreCase(a, b);
}

bool WildcardIndex::add(std::string fixed, uint32_t vhost) {
  const size_t length = fixed.size();
  auto it = std::find_if(by_length_.begin(), by_length_.end(),
                         [&](const auto& group) { return group.first <= length; });
  if (it == by_length_.end() || it->first != length)
    it = by_length_.emplace(it, length, DomainMap());
  return it->second.emplace(std::move(fixed), vhost).second;
}

int64_t WildcardIndex::find(std::string_view host) const {
  for (const auto& [length, domains] : by_length_) {
    if (host.size() <= length) continue;  // the '*' stands for at least one character
    const std::string_view fixed =
        side_ == Side::kSuffix ? host.substr(host.size() - length) : host.substr(0, length);
    if (auto it = domains.find(fixed); it != domains.end()) return it->second;
  }
  return -1;
}

std::string_view stripPort(std::string_view authority) {
  if (authority.empty() || authority.back() == ']') return authority;  // no port, or "[v6]"
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return authority;
  // A bare IPv6 address has more colons and no brackets: leave it alone.
  if (authority.front() != '[' && authority.find(':') != colon) return authority;
  for (char c : authority.substr(colon + 1)) {
    if (c < '0' || c > '9') return authority;
  }
  return authority.substr(0, colon);
}

}  // namespace weft::router
