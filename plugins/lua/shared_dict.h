// SharedDict: a key/value store in C++ memory that every worker's Lua state reaches as
// proxy.shared.<name> (OpenResty's ngx.shared.DICT). Values are strings, numbers or booleans;
// each entry may expire after a TTL. One mutex per dictionary: any thread may call any method.
//
// SIZE AND EVICTION. A dictionary holds at most `capacity` bytes, counting each entry as its key,
// its value (string bytes, or 8 for a number or boolean) and kEntryOverhead. When a write needs
// room, expired entries and then the least recently used live ones are evicted, oldest first,
// like ngx.shared.DICT:set; the result's `forcible` says that live entries had to go. The safe_*
// modes never evict a live entry: they answer kNoMemory instead. An entry bigger than the whole
// dictionary is always kNoMemory. get() and incr() count as uses.
//
// LIFETIME. Dictionaries are made by SharedDictRegistry::acquire when a Lua filter config is
// loaded; every config that names the same dictionary with the same capacity gets the same one,
// so its contents survive a reload. The configs own it (shared_ptr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace weft::lua {

using DictValue = std::variant<bool, double, std::string>;

class SharedDict {
 public:
  static constexpr size_t kEntryOverhead = 64;  // bookkeeping charged per entry
  static constexpr size_t kMaxKeyBytes = 65535;

  // Seconds on a monotonic clock; injectable for tests.
  using Clock = std::function<double()>;
  static double steadySeconds();

  SharedDict(std::string name, size_t capacity, Clock clock = &SharedDict::steadySeconds);

  enum class Outcome {
    kOk,
    kExists,      // add: the key is present
    kNotFound,    // replace / incr without init: the key is absent
    kNoMemory,    // no room (even after eviction, or a safe_* mode would have had to evict)
    kNotANumber,  // incr on a string or boolean
  };
  enum class Mode { kSet, kSafeSet, kAdd, kSafeAdd, kReplace };
  struct WriteResult {
    Outcome outcome = Outcome::kOk;
    bool forcible = false;  // live entries were evicted to make room
  };
  struct IncrResult {
    Outcome outcome = Outcome::kOk;
    double value = 0;
    bool forcible = false;
  };

  // The live value of `key`, or nullopt.
  std::optional<DictValue> get(std::string_view key);
  // Writes `key` as `mode` allows; ttl_seconds 0 means "never expires".
  WriteResult set(std::string_view key, DictValue value, double ttl_seconds, Mode mode);
  // Adds `delta` to a number. An absent key becomes init + delta (with init_ttl) when `init` is
  // given, else kNotFound. The TTL of an existing entry is kept.
  IncrResult incr(std::string_view key, double delta, std::optional<double> init,
                  double init_ttl_seconds);
  void remove(std::string_view key);
  // Up to `max` live keys, most recently used first; max 0 means all of them.
  std::vector<std::string> keys(size_t max);

  const std::string& name() const { return name_; }
  size_t capacity() const { return capacity_; }
  size_t usedBytes();

 private:
  struct Entry {
    std::string key;
    DictValue value;
    double expires = 0;  // clock seconds; 0 = never
  };
  using List = std::list<Entry>;  // front = most recently used

  static size_t costOf(std::string_view key, const DictValue& value);
  bool expired(const Entry& entry, double now) const;
  void erase(List::iterator it);
  // Frees room for `needed` more bytes; false if that would evict a live entry and `may_evict`
  // is false, or if the dictionary cannot hold `needed` at all. `keep` is never evicted.
  bool makeRoom(size_t needed, bool may_evict, List::const_iterator keep, bool& forcible);
  List::iterator find(std::string_view key, double now);  // drops the entry if it expired
  WriteResult setLocked(std::string_view key, DictValue value, double ttl_seconds, Mode mode);

  const std::string name_;
  const size_t capacity_;
  const Clock clock_;
  std::mutex mutex_;
  List lru_;
  std::unordered_map<std::string_view, List::iterator> index_;  // views into lru_ keys
  size_t used_ = 0;
};

using SharedDictPtr = std::shared_ptr<SharedDict>;

// Hands out dictionaries by name: the same name and capacity give the dictionary that is still
// alive (held by some config), else a new empty one. Thread-safe.
class SharedDictRegistry {
 public:
  static SharedDictRegistry& instance();
  SharedDictPtr acquire(const std::string& name, size_t capacity);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<SharedDict>> dicts_;
};

}  // namespace weft::lua
