// Host, HostList and HostSet: see host.h.
#include "core/upstream/host.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace weft::upstream {

namespace {

std::vector<Host> makeHosts(std::vector<HostSpec> specs) {
  std::vector<Host> hosts;
  hosts.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) hosts.emplace_back(std::move(specs[i]), i);
  return hosts;
}

std::vector<Host*> pointersTo(std::vector<Host>& hosts) {
  std::vector<Host*> pointers;
  pointers.reserve(hosts.size());
  for (Host& host : hosts) pointers.push_back(&host);
  return pointers;
}

bool contains(const Labels& labels, const Labels& selector) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& entry) {
    auto found = labels.find(entry.first);
    return found != labels.end() && found->second == entry.second;
  });
}

}  // namespace

Host::Host(HostSpec spec, size_t index) : spec_(std::move(spec)), index_(index) {}

HostList::HostList(const HostSet& owner, std::vector<Host*> hosts)
    : owner_(&owner), hosts_(std::move(hosts)) {}

uint64_t HostList::healthGeneration() const { return owner_->healthGeneration(); }

Result<std::unique_ptr<HostSet>> HostSet::create(std::vector<HostSpec> specs) {
  std::unordered_set<std::string_view> names;
  for (const HostSpec& spec : specs) {
    if (spec.name.empty()) return Status::error("a host has an empty name");
    if (spec.weight == 0) return Status::error("host " + spec.name + ": weight must be >= 1");
    if (!names.insert(spec.name).second)
      return Status::error("host " + spec.name + " is listed twice");
  }
  return std::unique_ptr<HostSet>(new HostSet(std::move(specs)));
}

HostSet::HostSet(std::vector<HostSpec> specs)
    : hosts_(makeHosts(std::move(specs))), all_(*this, pointersTo(hosts_)) {}

bool HostSet::setHealthFlag(size_t index, HealthFlag flag, bool set) {
  Host& host = hosts_[index];
  bool was_healthy = host.healthy();
  if (set) {
    host.health_flags_ |= static_cast<uint8_t>(flag);
  } else {
    host.health_flags_ &= static_cast<uint8_t>(~static_cast<uint8_t>(flag));
  }
  if (host.healthy() == was_healthy) return false;
  ++generation_;
  return true;
}

HostList HostSet::select(const Labels& selector) {
  std::vector<Host*> chosen;
  for (Host& host : hosts_) {
    if (contains(host.labels(), selector)) chosen.push_back(&host);
  }
  return HostList(*this, std::move(chosen));
}

std::vector<std::optional<size_t>> matchHostsByName(const std::vector<std::string>& previous,
                                                    const std::vector<std::string>& current) {
  std::unordered_map<std::string_view, size_t> index_of;
  for (size_t i = 0; i < previous.size(); ++i) index_of.emplace(previous[i], i);
  std::vector<std::optional<size_t>> matches(current.size());
  for (size_t i = 0; i < current.size(); ++i) {
    if (auto found = index_of.find(current[i]); found != index_of.end()) matches[i] = found->second;
  }
  return matches;
}

}  // namespace weft::upstream
