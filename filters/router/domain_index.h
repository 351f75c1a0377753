// How the route table finds a virtual host by domain: case-insensitive hash maps of exact
// domains, and WildcardIndex for "*suffix" / "prefix*" domains (one map per length of the fixed
// part, longest first, so a lookup costs one probe per distinct length). Also stripPort, the
// authority helper the router and redirects share.
//
// Built on the main thread, then read concurrently by every worker; lookups allocate nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace weft::router {

// ASCII case-insensitive hashing and equality, for maps keyed by lower-cased domains that are
// probed with the request's authority as it came.
struct CaseInsensitiveHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept;
};
struct CaseInsensitiveEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};
using DomainMap =
    std::unordered_map<std::string, uint32_t, CaseInsensitiveHash, CaseInsensitiveEqual>;

// Wildcard domains of one kind ("*suffix" or "prefix*").
class WildcardIndex {
 public:
  enum class Side { kSuffix, kPrefix };
  explicit WildcardIndex(Side side) : side_(side) {}

  // `fixed` is the domain without its '*', lower-cased. False if it is already present.
  bool add(std::string fixed, uint32_t vhost);
  // The virtual host of the longest wildcard matching `host`, or -1.
  int64_t find(std::string_view host) const;

 private:
  Side side_;
  std::vector<std::pair<size_t, DomainMap>> by_length_;  // descending length
};

// The host part of an authority: "Example.com:8080" -> "Example.com", "[::1]:80" -> "[::1]".
std::string_view stripPort(std::string_view authority);

}  // namespace weft::router
