// HostSubsets: see host_subsets.h.
#include "core/upstream/host_subsets.h"

namespace weft::upstream {

Result<HostSubsets> HostSubsets::create(HostSet& hosts, const std::vector<SubsetSpec>& specs) {
  HostSubsets subsets;
  for (const SubsetSpec& spec : specs) {
    if (spec.name.empty()) return Status::error("a subset has an empty name");
    if (!subsets.subsets_.emplace(spec.name, hosts.select(spec.labels)).second)
      return Status::error("subset " + spec.name + " is defined twice");
  }
  return subsets;
}

const HostList* HostSubsets::find(std::string_view name) const {
  auto found = subsets_.find(name);
  return found == subsets_.end() ? nullptr : &found->second;
}

}  // namespace weft::upstream
