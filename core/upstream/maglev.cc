// MaglevTable: see maglev.h.
#include "core/upstream/maglev.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "core/upstream/load_balancer_hash.h"

namespace weft::upstream {

namespace {

constexpr uint64_t kOffsetSeed = 0x4d61676c65764f66ULL;  // distinct seeds give the start and
constexpr uint64_t kStepSeed = 0x4d61676c65765374ULL;    // the step independent hashes
constexpr uint32_t kFree = std::numeric_limits<uint32_t>::max();

// One host's walk through its permutation of the slots.
struct Claimant {
  uint32_t owner;
  uint64_t weight;
  uint64_t position;
  uint64_t step;
  uint64_t credit = 0;
};

}  // namespace

MaglevTable::MaglevTable(const HostList& hosts, uint64_t table_size) : ConsistentHashTable(hosts) {
  if (hosts.size() == 0) return;
  std::vector<uint32_t> by_name(hosts.size());
  std::iota(by_name.begin(), by_name.end(), 0);
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) {
    return hosts.hosts()[a]->name() < hosts.hosts()[b]->name();
  });
  std::vector<Claimant> claimants;
  uint64_t heaviest = 0;
  for (uint32_t owner : by_name) {
    const Host& host = *hosts.hosts()[owner];
    claimants.push_back({owner, host.weight(), hash64(host.name(), kOffsetSeed) % table_size,
                         hash64(host.name(), kStepSeed) % (table_size - 1) + 1});
    heaviest = std::max<uint64_t>(heaviest, host.weight());
  }

  owners_.assign(table_size, kFree);
  uint64_t filled = 0;
  while (filled < table_size) {
    for (Claimant& claimant : claimants) {
      claimant.credit += claimant.weight;
      if (claimant.credit < heaviest) continue;
      claimant.credit -= heaviest;
      while (owners_[claimant.position] != kFree) {
        claimant.position = (claimant.position + claimant.step) % table_size;
      }
      owners_[claimant.position] = claimant.owner;
      if (++filled == table_size) break;
    }
  }
}

}  // namespace weft::upstream
