// Reading a cluster's `subsets:` and building the cluster of each: see cluster_subsets.h.
#include "core/config/cluster_subsets.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "core/config/labels.h"

namespace weft::config {
namespace {

constexpr std::string_view kSubsetKeys[] = {"name", "labels"};

bool selectsAny(const std::vector<Endpoint>& endpoints, const upstream::Labels& selector) {
  return std::any_of(endpoints.begin(), endpoints.end(), [&](const Endpoint& endpoint) {
    return containsLabels(endpoint.labels, selector);
  });
}

}  // namespace

std::vector<Field> readSubsets(const Field& field, FieldErrors& errors, Cluster& cluster) {
  std::vector<Field> names;
  std::map<std::string, YAML::Mark, std::less<>> seen;  // subset name → where first written
  for (const Field& item : readList(field, errors)) {
    if (!errors.ok()) break;
    const FieldMap map(item, kSubsetKeys, errors);
    upstream::SubsetSpec subset;
    const std::optional<Field> name = map.require("name");
    if (!name || !readString(*name, errors, subset.name)) continue;
    if (subset.name.find('/') != std::string::npos) {
      errors.add(name->mark, name->path,
                 "must not contain '/' (its cluster is named \"<cluster>/<subset>\"), got " +
                     quoted(subset.name));
      continue;
    }
    if (const auto [first, inserted] = seen.emplace(subset.name, name->mark); !inserted) {
      errors.add(name->mark, name->path,
                 "duplicate subset " + quoted(subset.name) + " (first at " +
                     errors.location(first->second) + ")");
      continue;
    }
    const std::optional<Field> labels = map.get("labels");
    if (labels) readLabels(*labels, errors, subset.labels);
    if (!errors.ok()) continue;
    if (!selectsAny(cluster.endpoints, subset.labels)) {
      const Field& at = labels ? *labels : item;
      errors.add(at.mark, at.path,
                 "subset " + quoted(subset.name) + " selects no endpoint of cluster " +
                     quoted(cluster.name) + ": none has the labels " +
                     describeLabels(subset.labels));
      continue;
    }
    cluster.subsets.push_back(std::move(subset));
    names.push_back(*name);
  }
  return names;
}

std::string subsetClusterName(const Cluster& parent, const upstream::SubsetSpec& subset) {
  return parent.name + "/" + subset.name;
}

Cluster subsetCluster(const Cluster& parent, const upstream::SubsetSpec& subset) {
  Cluster cluster = parent;
  cluster.name = subsetClusterName(parent, subset);
  cluster.subsets.clear();
  std::erase_if(cluster.endpoints, [&](const Endpoint& endpoint) {
    return !containsLabels(endpoint.labels, subset.labels);
  });
  return cluster;
}

}  // namespace weft::config
