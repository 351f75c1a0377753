// Label maps in the bootstrap: Kubernetes-style `key: value` strings, as Istio matches workloads
// by them. Three places carry one: an endpoint's `labels` (what it is), a subset's `labels` (which
// endpoints it takes: cluster_subsets.h) and the node's `labels` (which workload this proxy serves;
// routes with `source_labels` match against them in the router).
//
//   labels: { app: reviews, version: v2 }   # values are strings; numbers and booleans read as
//                                            # their text, "" is a value
//
// Main thread only, like every bootstrap reader.
#pragma once

#include <string>

#include "core/config/yaml_fields.h"
#include "core/upstream/host.h"

namespace weft::config {

// Reads a map of label name → value into `out` (replacing what was there). Records a problem, with
// line and field, for a value that is not a map, an empty name, or a value that is not a string.
void readLabels(const Field& field, FieldErrors& errors, upstream::Labels& out);

// Whether `labels` has every name of `selector` with the same value: the rule of
// upstream::HostSet::select, so a subset cluster holds exactly the hosts that selector picks.
bool containsLabels(const upstream::Labels& labels, const upstream::Labels& selector);

// `labels` as a JSON object, names in order: {"app":"reviews","version":"v2"}.
std::string labelsToJson(const upstream::Labels& labels);

// "app=reviews, version=v2", for messages; "(none)" when empty.
std::string describeLabels(const upstream::Labels& labels);

}  // namespace weft::config
