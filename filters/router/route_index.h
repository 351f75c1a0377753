// RouteIndex: finds the first matching route of a virtual host without trying every route.
//
// Routes are tried in order and the first whose whole match holds wins; the index keeps that rule.
// It knows one cheap necessary condition per route, its path key:
//   kExact   the path equals the literal                  (a "path" match)
//   kPrefix  the path starts with the literal             (a "prefix" match; a regex's literal
//                                                           start, "" when it has none)
// Keys are compared ASCII case-insensitively, so one index serves case-sensitive and
// case-insensitive routes alike: it may name a route whose key differs from the path in case, and
// the route's own match then says no. All keys live in one byte trie, walked once along the
// request's path; each node stores, already merged in ascending order, the routes of every prefix
// key ending at or above it, and the routes of the exact keys ending at it. firstMatch()
// evaluates the full match on those routes alone, in ascending route order, stopping at the
// first that holds. A route the path cannot reach by its key costs nothing, so a lookup costs a
// walk of the path plus the routes whose key holds; a regex without a literal start ("" key) is
// among those on every lookup. Each node's merged list repeats the routes of the keys above it,
// so the index's size grows with how deeply prefix keys nest, not only with their number.
//
// Built once on the main thread, then read concurrently by every worker; lookups allocate nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace weft::router {

// What every path a route matches has in common (see the file comment).
struct PathKey {
  enum class Kind { kPrefix, kExact };
  Kind kind = Kind::kPrefix;
  std::string literal;
};

// The longest literal that every full match of the RE2 `pattern` starts with, derived from RE2's
// PossibleMatchRange; "" when there is none (".*x", "(?i)a...") or the pattern does not compile.
std::string regexLiteralPrefix(const std::string& pattern);

class RouteIndex {
 public:
  // `keys[i]` is the path key of route i.
  explicit RouteIndex(const std::vector<PathKey>& keys);

  // The lowest route index i whose key holds for `path` (without its query) and for which
  // `holds(i)` is true, or nullopt. `holds` is the route's full match; it is called in ascending
  // order of i, only for routes whose key holds, and never again after it returns true.
  template <typename Holds>
  std::optional<uint32_t> firstMatch(std::string_view path, const Holds& holds) const {
    const Candidates c = candidates(path);
    size_t p = 0;
    size_t e = 0;
    while (p < c.prefixed.size() || e < c.exact.size()) {
      const bool take_prefixed =
          e == c.exact.size() || (p < c.prefixed.size() && c.prefixed[p] < c.exact[e]);
      const uint32_t route = take_prefixed ? c.prefixed[p++] : c.exact[e++];
      if (holds(route)) return route;
    }
    return std::nullopt;
  }

 private:
  // The routes whose key holds for one path; each list ascending, the two disjoint.
  struct Candidates {
    std::span<const uint32_t> prefixed;
    std::span<const uint32_t> exact;
  };
  Candidates candidates(std::string_view path) const;

  // A range of lists_.
  struct Routes {
    uint32_t begin = 0;
    uint32_t end = 0;
  };
  // A trie node: its outgoing edges (edges_[first_edge, first_edge + edge_count)), the routes of
  // every prefix key ending at or above it, and those of the exact keys ending at it.
  struct Node {
    uint32_t first_edge = 0;
    uint32_t edge_count = 0;
    Routes prefixed;
    Routes exact;
  };
  // Keys are lower-cased in the trie, and a letter's edge is stored once per case, so a lookup
  // compares the path's bytes as they are.
  struct Edge {
    char byte;
    uint32_t node;
  };
  class Builder;

  std::span<const uint32_t> routes(Routes range) const {
    return {lists_.data() + range.begin, lists_.data() + range.end};
  }

  std::vector<Node> nodes_;  // nodes_[0] is the root (the empty key)
  std::vector<Edge> edges_;
  std::vector<uint32_t> lists_;
};

}  // namespace weft::router
