// A cluster's subsets (Istio DestinationRule `subsets`), made into clusters of their own the way
// Istio hands them to Envoy:
//
//   clusters:
//     - name: reviews
//       endpoints:
//         - { address: 10.0.0.1, port: 9080, labels: { version: v1 } }
//         - { address: 10.0.0.2, port: 9080, labels: { version: v2, canary: "true" } }
//       subsets:
//         - name: v1
//           labels: { version: v1 }    # absent or {}: every endpoint
//         - name: v2
//           labels: { version: v2 }
//
// Each subset becomes the cluster "<cluster>/<subset>" ("reviews/v1"): every setting of its parent
// (balancing, outlier detection, circuit breakers, health checks, TLS, protocol, ...) and exactly
// the parent's endpoints whose labels contain every label of the subset (labels.h), in the
// parent's order. Routes, TCP listeners and mirrors name it like any cluster; its stats are its
// own (cluster="reviews/v1"). The parent keeps all its endpoints and stays addressable.
//
// A subset's name is required, unique within its cluster and free of '/'; a subset that selects
// no endpoint is an error, and so is a generated name that another cluster already has (checked
// by the bootstrap loader once every cluster is read). Main thread only.
#pragma once

#include <string>
#include <vector>

#include "core/config/bootstrap.h"
#include "core/config/yaml_fields.h"

namespace weft::config {

// Reads the `subsets:` list of `cluster`, whose endpoints are already read, into cluster.subsets.
// Returns where each subset's name is written, in the same order, for problems found later.
std::vector<Field> readSubsets(const Field& field, FieldErrors& errors, Cluster& cluster);

// "<parent>/<subset>".
std::string subsetClusterName(const Cluster& parent, const upstream::SubsetSpec& subset);

// The cluster that serves `subset` of `parent`: the parent's settings, the endpoints the subset
// selects, and no subsets of its own.
Cluster subsetCluster(const Cluster& parent, const upstream::SubsetSpec& subset);

}  // namespace weft::config
