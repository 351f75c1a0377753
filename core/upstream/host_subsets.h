// HostSubsets: the named subsets of one cluster (Istio DestinationRule `subsets`). Each subset
// names a label selector; its hosts are those of the HostSet whose labels contain every entry of
// the selector, in HostSet order. Computed once per config and worker; a router that picked a
// subset looks it up by name and balances over its HostList with a balancer of its own.
// Worker-local like the HostSet it points into, which must outlive it.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/upstream/host.h"

namespace weft::upstream {

struct SubsetSpec {
  std::string name;
  Labels labels;  // the selector; empty selects every host
};

class HostSubsets {
 public:
  // Fails on an empty or repeated subset name. A subset that selects no host is valid: picking
  // from it finds no host, as a request routed to it would in Istio.
  static Result<HostSubsets> create(HostSet& hosts, const std::vector<SubsetSpec>& specs);

  // The subset called `name`, or nullptr.
  const HostList* find(std::string_view name) const;

 private:
  HostSubsets() = default;
  std::map<std::string, HostList, std::less<>> subsets_;
};

}  // namespace weft::upstream
