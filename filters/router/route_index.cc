// RouteIndex construction (main thread) and candidate lookup (workers): see route_index.h.
#include "filters/router/route_index.h"

#include <re2/re2.h>

#include <algorithm>
#include <iterator>
#include <map>

#include "filters/router/string_matcher.h"

namespace weft::router {

std::string regexLiteralPrefix(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(pattern, options);
  std::string min;
  std::string max;
  // Every full match m has min <= m <= max, so m starts with what min and max share.
  if (!re.ok() || !re.PossibleMatchRange(&min, &max, 64)) return "";
  return std::string(min.begin(),
                     std::mismatch(min.begin(), min.end(), max.begin(), max.end()).first);
}

// The trie while keys are added, children in maps keyed by lower-cased byte; flatten() turns it
// into the index's arrays.
class RouteIndex::Builder {
 public:
  void add(const PathKey& key, uint32_t route) {
    uint32_t node = 0;
    for (char c : key.literal) {
      const char byte = lowerAscii(c);
      const auto it = nodes_[node].children.find(byte);
      if (it != nodes_[node].children.end()) {
        node = it->second;
        continue;
      }
      const auto child = static_cast<uint32_t>(nodes_.size());
      nodes_[node].children.emplace(byte, child);
      nodes_.emplace_back();
      node = child;
    }
    Node& end = nodes_[node];
    (key.kind == PathKey::Kind::kExact ? end.exact : end.prefixed).push_back(route);
  }

  // Fills index.nodes_, edges_ and lists_ (node numbers are kept).
  void flatten(RouteIndex& index) const {
    index.nodes_.resize(nodes_.size());
    index.nodes_[0].prefixed = append(index, {}, nodes_[0].prefixed);
    // A node is created after its parent, so in this order every parent's prefixed routes are
    // set before its children's.
    for (size_t n = 0; n < nodes_.size(); ++n) {
      RouteIndex::Node& out = index.nodes_[n];
      out.first_edge = static_cast<uint32_t>(index.edges_.size());
      out.exact = append(index, {}, nodes_[n].exact);
      for (const auto& [byte, child] : nodes_[n].children) {
        index.edges_.push_back({byte, child});
        if (byte >= 'a' && byte <= 'z') {
          index.edges_.push_back({static_cast<char>(byte - 'a' + 'A'), child});
        }
        index.nodes_[child].prefixed = append(index, out.prefixed, nodes_[child].prefixed);
      }
      out.edge_count = static_cast<uint32_t>(index.edges_.size()) - out.first_edge;
    }
  }

 private:
  struct Node {
    std::map<char, uint32_t> children;
    std::vector<uint32_t> prefixed;  // the routes whose key ends here, ascending
    std::vector<uint32_t> exact;
  };

  // `inherited` merged with `own`: appended to index.lists_ unless `own` adds nothing.
  static Routes append(RouteIndex& index, Routes inherited, const std::vector<uint32_t>& own) {
    if (own.empty()) return inherited;
    std::vector<uint32_t> merged;
    std::merge(index.lists_.begin() + inherited.begin, index.lists_.begin() + inherited.end,
               own.begin(), own.end(), std::back_inserter(merged));
    Routes out{static_cast<uint32_t>(index.lists_.size()), 0};
    index.lists_.insert(index.lists_.end(), merged.begin(), merged.end());
    out.end = static_cast<uint32_t>(index.lists_.size());
    return out;
  }

  std::vector<Node> nodes_{1};  // nodes_[0] is the root
};

RouteIndex::RouteIndex(const std::vector<PathKey>& keys) {
  Builder trie;
  for (uint32_t route = 0; route < keys.size(); ++route) trie.add(keys[route], route);
  trie.flatten(*this);
}

RouteIndex::Candidates RouteIndex::candidates(std::string_view path) const {
  const Node* node = &nodes_[0];
  size_t walked = 0;
  for (; walked < path.size(); ++walked) {
    const Edge* edge = edges_.data() + node->first_edge;
    const Edge* const end = edge + node->edge_count;
    while (edge != end && edge->byte != path[walked]) ++edge;
    if (edge == end) break;
    node = &nodes_[edge->node];
  }
  return {routes(node->prefixed), walked == path.size() ? routes(node->exact) : routes({})};
}

}  // namespace weft::router
