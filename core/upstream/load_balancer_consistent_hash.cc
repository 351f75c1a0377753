// ConsistentHashTable and ConsistentHashLoadBalancer: see load_balancer_consistent_hash.h.
#include "core/upstream/load_balancer_consistent_hash.h"

namespace weft::upstream {

ConsistentHashTable::ConsistentHashTable(const HostList& hosts) {
  names_.reserve(hosts.size());
  for (const Host* host : hosts.hosts()) names_.push_back(host->name());
}

bool ConsistentHashTable::builtFor(const HostList& hosts) const {
  if (hosts.size() != names_.size()) return false;
  for (size_t i = 0; i < names_.size(); ++i) {
    if (hosts.hosts()[i]->name() != names_[i]) return false;
  }
  return true;
}

ConsistentHashLoadBalancer::ConsistentHashLoadBalancer(
    const HostList& hosts, const LbConfig& config, uint64_t seed,
    std::shared_ptr<const ConsistentHashTable> table)
    : hosts_(hosts),
      candidates_(hosts, config.healthy_panic_threshold),
      prng_(seed),
      table_(std::move(table)) {}

Host* ConsistentHashLoadBalancer::chooseHost(const LbContext& context) {
  candidates_.refresh();
  size_t slots = table_->slots();
  if (candidates_.hosts().empty() || slots == 0) return nullptr;
  size_t slot = table_->slotFor(context.hash_key ? *context.hash_key : prng_.next());
  const std::vector<Host*>& hosts = hosts_.hosts();
  if (candidates_.panic()) return hosts[table_->ownerOf(slot)];
  // Not in panic mode, so some host is healthy; it may still own no slot when the table is
  // smaller than the host count, hence the bound.
  for (size_t step = 0; step < slots; ++step) {
    Host* host = hosts[table_->ownerOf(slot)];
    if (host->healthy()) return host;
    if (++slot == slots) slot = 0;
  }
  return nullptr;
}

}  // namespace weft::upstream
