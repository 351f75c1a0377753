// SharedDict and SharedDictRegistry: see shared_dict.h.
#include "plugins/lua/shared_dict.h"

#include <chrono>
#include <iterator>

namespace weft::lua {

double SharedDict::steadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

SharedDict::SharedDict(std::string name, size_t capacity, Clock clock)
    : name_(std::move(name)), capacity_(capacity), clock_(std::move(clock)) {}

size_t SharedDict::costOf(std::string_view key, const DictValue& value) {
  const std::string* text = std::get_if<std::string>(&value);
  return key.size() + (text != nullptr ? text->size() : sizeof(double)) + kEntryOverhead;
}

bool SharedDict::expired(const Entry& entry, double now) const {
  return entry.expires != 0 && entry.expires <= now;
}

void SharedDict::erase(List::iterator it) {
  used_ -= costOf(it->key, it->value);
  index_.erase(std::string_view(it->key));
  lru_.erase(it);
}

SharedDict::List::iterator SharedDict::find(std::string_view key, double now) {
  auto found = index_.find(key);
  if (found == index_.end()) return lru_.end();
  List::iterator it = found->second;
  if (expired(*it, now)) {
    erase(it);
    return lru_.end();
  }
  return it;
}

bool SharedDict::makeRoom(size_t needed, bool may_evict, List::const_iterator keep,
                          bool& forcible) {
  const size_t kept = keep == lru_.end() ? 0 : costOf(keep->key, keep->value);
  auto over = [&] { return used_ - kept + needed > capacity_; };
  if (!over()) return true;
  const double now = clock_();
  if (!may_evict) {
    // Only expired entries may go; they can be anywhere in the list.
    for (auto it = lru_.begin(); it != lru_.end() && over();) {
      auto next = std::next(it);
      if (it != keep && expired(*it, now)) erase(it);
      it = next;
    }
    return !over();
  }
  for (auto it = lru_.end(); over() && it != lru_.begin();) {
    auto victim = std::prev(it);
    if (victim == keep) {
      it = victim;
      continue;
    }
    forcible = forcible || !expired(*victim, now);
    erase(victim);
  }
  return !over();
}

std::optional<DictValue> SharedDict::get(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = find(key, clock_());
  if (it == lru_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it);
  return it->value;
}

SharedDict::WriteResult SharedDict::set(std::string_view key, DictValue value, double ttl_seconds,
                                        Mode mode) {
  std::lock_guard lock(mutex_);
  return setLocked(key, std::move(value), ttl_seconds, mode);
}

SharedDict::WriteResult SharedDict::setLocked(std::string_view key, DictValue value,
                                              double ttl_seconds, Mode mode) {
  const double now = clock_();
  auto it = find(key, now);
  const bool present = it != lru_.end();
  if (present && (mode == Mode::kAdd || mode == Mode::kSafeAdd)) return {Outcome::kExists};
  if (!present && mode == Mode::kReplace) return {Outcome::kNotFound};

  WriteResult result;
  const size_t cost = costOf(key, value);
  const bool may_evict = mode != Mode::kSafeSet && mode != Mode::kSafeAdd;
  if (cost > capacity_ || !makeRoom(cost, may_evict, it, result.forcible)) {
    return {Outcome::kNoMemory, result.forcible};
  }
  const double expires = ttl_seconds > 0 ? now + ttl_seconds : 0;
  if (present) {
    used_ -= costOf(it->key, it->value);
    it->value = std::move(value);
    it->expires = expires;
    lru_.splice(lru_.begin(), lru_, it);
  } else {
    lru_.push_front(Entry{std::string(key), std::move(value), expires});
    index_.emplace(std::string_view(lru_.front().key), lru_.begin());
  }
  used_ += cost;
  return result;
}

SharedDict::IncrResult SharedDict::incr(std::string_view key, double delta,
                                        std::optional<double> init, double init_ttl_seconds) {
  // One lock for the whole call: two workers incrementing an absent key must not both write init.
  std::lock_guard lock(mutex_);
  auto it = find(key, clock_());
  if (it != lru_.end()) {
    double* number = std::get_if<double>(&it->value);
    if (number == nullptr) return {Outcome::kNotANumber};
    *number += delta;
    lru_.splice(lru_.begin(), lru_, it);
    return {Outcome::kOk, *number};
  }
  if (!init) return {Outcome::kNotFound};
  const double value = *init + delta;
  WriteResult written = setLocked(key, DictValue(value), init_ttl_seconds, Mode::kSet);
  return {written.outcome, value, written.forcible};
}

void SharedDict::remove(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = find(key, clock_());
  if (it != lru_.end()) erase(it);
}

std::vector<std::string> SharedDict::keys(size_t max) {
  std::lock_guard lock(mutex_);
  const double now = clock_();
  std::vector<std::string> out;
  for (const Entry& entry : lru_) {
    if (max != 0 && out.size() >= max) break;
    if (!expired(entry, now)) out.push_back(entry.key);
  }
  return out;
}

size_t SharedDict::usedBytes() {
  std::lock_guard lock(mutex_);
  return used_;
}

SharedDictRegistry& SharedDictRegistry::instance() {
  static auto* registry = new SharedDictRegistry();  // never destroyed: configs may outlive main
  return *registry;
}

SharedDictPtr SharedDictRegistry::acquire(const std::string& name, size_t capacity) {
  std::lock_guard lock(mutex_);
  std::weak_ptr<SharedDict>& slot = dicts_[name];
  SharedDictPtr dict = slot.lock();
  if (dict == nullptr || dict->capacity() != capacity) {
    dict = std::make_shared<SharedDict>(name, capacity);
    slot = dict;
  }
  return dict;
}

}  // namespace weft::lua
