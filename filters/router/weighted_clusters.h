// WeightedClusters: a route that splits traffic (Envoy's config.route.v3.WeightedCluster):
//   {"clusters": [{"name": "v1", "weight": 90}, {"name": "v2", "weight": 10}],
//    "total_weight": 100}
// Weights are integers; a cluster of weight 0 gets nothing. total_weight is optional and, when
// given, must equal the sum (which must be positive). Each request picks on its own, from its
// worker's random numbers: nothing is remembered between requests.
//
// Immutable after parse; pick() allocates nothing and may run on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/status.h"

namespace YAML {
class Node;
}

namespace weft::router {

class WeightedClusters {
 public:
  struct Entry {
    std::string name;
    uint32_t weight = 0;
  };

  static Result<WeightedClusters> parse(const YAML::Node& node, const std::string& where);

  // The cluster for a uniformly random 64-bit value.
  const std::string& pick(uint64_t random) const;

  const std::vector<Entry>& clusters() const { return clusters_; }
  uint64_t totalWeight() const { return total_; }

 private:
  WeightedClusters() = default;

  std::vector<Entry> clusters_;
  uint64_t total_ = 0;
};

}  // namespace weft::router
