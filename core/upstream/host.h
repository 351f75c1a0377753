// The host model the load balancers work on: one worker's view of a cluster's endpoints.
//
// A HostSet is built per worker from the cluster's endpoint list (in the same order as
// ClusterInfo::endpoints, so Host::index() is the endpoint's index there) and is owned by that
// worker; nothing here takes a lock. Each Host carries what balancing needs: its name ("ip:port",
// its identity across config reloads), weight, labels (for subsets), health, and the number of
// requests this worker has in flight to it (for least request).
//
// Health is a set of flags — failed active health check, ejected by outlier detection — and a host
// is healthy when no flag is set. Flags change only through HostSet::setHealthFlag, which bumps a
// generation number; balancers compare it on each pick and rebuild what they derived from health
// only when it moved.
//
// A HostList is the hosts one balancer balances over: the whole set (HostSet::all()) or a subset
// chosen by labels (HostSet::select, Istio DestinationRule `subsets` semantics: a host belongs when
// its labels contain every key/value of the selector). Lists point into their HostSet, which must
// outlive them; a HostSet never moves (it is created behind a unique_ptr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace weft::upstream {

using Labels = std::map<std::string, std::string, std::less<>>;

// What the config says about one endpoint.
struct HostSpec {
  std::string name;     // "ip:port"; unique within a cluster
  uint32_t weight = 1;  // relative share of traffic, >= 1
  Labels labels;
};

enum class HealthFlag : uint8_t {
  kFailedActiveHealthCheck = 1 << 0,
  kEjectedByOutlierDetection = 1 << 1,
};

class Host {
 public:
  Host(HostSpec spec, size_t index);

  const std::string& name() const { return spec_.name; }
  uint32_t weight() const { return spec_.weight; }
  const Labels& labels() const { return spec_.labels; }
  // Position in the HostSet: the endpoint's index in the cluster's endpoint list.
  size_t index() const { return index_; }

  bool healthy() const { return health_flags_ == 0; }
  bool hasHealthFlag(HealthFlag flag) const {
    return (health_flags_ & static_cast<uint8_t>(flag)) != 0;
  }

  // Requests this worker has sent to the host and not yet finished. The caller brackets each
  // request with these two calls; least request reads the count.
  uint32_t activeRequests() const { return active_requests_; }
  void onRequestStart() { ++active_requests_; }
  void onRequestEnd() { --active_requests_; }

 private:
  friend class HostSet;
  HostSpec spec_;
  size_t index_;
  uint8_t health_flags_ = 0;
  uint32_t active_requests_ = 0;
};

class HostSet;

// The hosts one balancer balances over, in HostSet order. Borrowed pointers into a HostSet.
class HostList {
 public:
  HostList(const HostSet& owner, std::vector<Host*> hosts);

  const std::vector<Host*>& hosts() const { return hosts_; }
  size_t size() const { return hosts_.size(); }
  // Moves whenever a host of the owning set becomes healthy or unhealthy.
  uint64_t healthGeneration() const;

 private:
  const HostSet* owner_;
  std::vector<Host*> hosts_;
};

class HostSet {
 public:
  // Fails on an empty name, a weight of 0 or a name given twice.
  static Result<std::unique_ptr<HostSet>> create(std::vector<HostSpec> specs);

  HostSet(const HostSet&) = delete;
  HostSet& operator=(const HostSet&) = delete;

  size_t size() const { return hosts_.size(); }
  Host& host(size_t index) { return hosts_[index]; }
  const Host& host(size_t index) const { return hosts_[index]; }

  // Sets or clears one health flag of host `index`; true when that changed whether the host is
  // healthy (the generation moves only then).
  bool setHealthFlag(size_t index, HealthFlag flag, bool set);
  uint64_t healthGeneration() const { return generation_; }

  const HostList& all() const { return all_; }
  // The hosts whose labels contain every entry of `selector` (all hosts for an empty selector).
  HostList select(const Labels& selector);

 private:
  explicit HostSet(std::vector<HostSpec> specs);

  std::vector<Host> hosts_;  // never resized after construction: lists point into it
  HostList all_;
  uint64_t generation_ = 0;
};

using HostSetPtr = std::unique_ptr<HostSet>;

// For each name of `current`, its index in `previous` if it is there: how per-host state (outlier
// detection, health checks) follows a host across a config reload.
std::vector<std::optional<size_t>> matchHostsByName(const std::vector<std::string>& previous,
                                                    const std::vector<std::string>& current);

}  // namespace weft::upstream
