// WeightedClusters parsing and picking: see weighted_clusters.h.
#include "filters/router/weighted_clusters.h"

#include <yaml-cpp/yaml.h>

#include <limits>

#include "filters/router/config_fields.h"

namespace weft::router {

Result<WeightedClusters> WeightedClusters::parse(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node, {"clusters", "total_weight"}, where); !s) return s;
  const std::string clusters_where = field(where, "clusters");
  const YAML::Node clusters = node["clusters"];
  if (!clusters || !clusters.IsSequence() || clusters.size() == 0) {
    return fail(clusters_where, "required, a non-empty list");
  }
  constexpr uint64_t kMaxWeight = std::numeric_limits<uint32_t>::max();
  WeightedClusters w;
  for (size_t i = 0; i < clusters.size(); ++i) {
    const std::string item_where = indexed(clusters_where, i);
    if (Status s = checkFields(clusters[i], {"name", "weight"}, item_where); !s) return s;
    Entry entry;
    if (Status s = readString(clusters[i], "name", true, item_where, entry.name); !s) return s;
    if (!clusters[i]["weight"]) return fail(field(item_where, "weight"), "required");
    if (Status s = readUint(clusters[i], "weight", 0, kMaxWeight, item_where, entry.weight); !s) {
      return s;
    }
    w.total_ += entry.weight;
    w.clusters_.push_back(std::move(entry));
  }
  if (w.total_ == 0) return fail(clusters_where, "the weights must not all be 0");
  if (node["total_weight"]) {
    uint32_t total = 0;
    if (Status s = readUint(node, "total_weight", 1, kMaxWeight, where, total); !s) return s;
    if (total != w.total_) {
      return fail(field(where, "total_weight"), std::to_string(total) +
                                                    " is not the sum of the weights (" +
                                                    std::to_string(w.total_) + ")");
    }
  }
  return w;
}

const std::string& WeightedClusters::pick(uint64_t random) const {
  uint64_t point = random % total_;
  for (const Entry& entry : clusters_) {
    if (point < entry.weight) return entry.name;
    point -= entry.weight;
  }
  return clusters_.back().name;  // not reached: the weights add up to total_
}

}  // namespace weft::router
