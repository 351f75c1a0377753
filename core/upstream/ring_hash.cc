// RingHashTable: see ring_hash.h.
#include "core/upstream/ring_hash.h"

#include <algorithm>
#include <cmath>

#include "core/upstream/load_balancer_hash.h"

namespace weft::upstream {

namespace {

constexpr double kKetamaPoints = 160;  // points of the lightest host, at least

// Points per host (see ring_hash.h).
std::vector<uint64_t> pointCounts(const HostList& hosts, uint64_t minimum, uint64_t maximum) {
  double total_weight = 0;
  double lightest = hosts.hosts().front()->weight();
  for (const Host* host : hosts.hosts()) {
    total_weight += host->weight();
    lightest = std::min<double>(lightest, host->weight());
  }
  // Points per unit of weight relative to the lightest host.
  double unit =
      std::max(kKetamaPoints, std::ceil(static_cast<double>(minimum) * lightest / total_weight));
  std::vector<uint64_t> counts;
  uint64_t total = 0;
  for (const Host* host : hosts.hosts()) {
    counts.push_back(static_cast<uint64_t>(std::ceil(unit * host->weight() / lightest)));
    total += counts.back();
  }
  if (total <= maximum) return counts;
  double shrink = static_cast<double>(maximum) / static_cast<double>(total);
  for (uint64_t& count : counts) count = static_cast<uint64_t>(std::floor(count * shrink));
  return counts;
}

}  // namespace

RingHashTable::RingHashTable(const HostList& hosts, uint64_t minimum_ring_size,
                             uint64_t maximum_ring_size)
    : ConsistentHashTable(hosts) {
  if (hosts.size() == 0) return;
  std::vector<uint64_t> counts = pointCounts(hosts, minimum_ring_size, maximum_ring_size);

  struct Point {
    uint64_t hash;
    uint32_t owner;
  };
  std::vector<Point> points;
  for (uint32_t owner = 0; owner < hosts.size(); ++owner) {
    const std::string& name = hosts.hosts()[owner]->name();
    for (uint64_t k = 0; k < counts[owner]; ++k) points.push_back({hash64(name, k), owner});
  }
  // Ties (equal 64-bit points) are broken by name, so the ring does not depend on host order.
  std::sort(points.begin(), points.end(), [&](const Point& a, const Point& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    return hosts.hosts()[a.owner]->name() < hosts.hosts()[b.owner]->name();
  });
  points_.reserve(points.size());
  owners_.reserve(points.size());
  for (const Point& point : points) {
    points_.push_back(point.hash);
    owners_.push_back(point.owner);
  }
}

size_t RingHashTable::slotFor(uint64_t key) const {
  auto at = std::lower_bound(points_.begin(), points_.end(), key);
  return at == points_.end() ? 0 : static_cast<size_t>(at - points_.begin());
}

}  // namespace weft::upstream
