// SharedDict in C++: modes, LRU eviction and its `forcible` flag, the safe modes, TTLs on an
// injected clock, incr (also racing from two threads), and the registry that keeps a dictionary
// across config versions.
#include <boost/test/unit_test.hpp>
#include <string>
#include <thread>

#include "plugins/lua/shared_dict.h"

namespace weft::lua {
namespace {

using Mode = SharedDict::Mode;
using Outcome = SharedDict::Outcome;

// Capacity for `entries` entries of a 1-byte key and a 1-byte string value.
constexpr size_t roomFor(size_t entries) { return entries * (2 + SharedDict::kEntryOverhead); }

std::string stringOf(const std::optional<DictValue>& value) {
  if (!value) return "<none>";
  if (const std::string* text = std::get_if<std::string>(value.operator->())) return *text;
  if (const double* number = std::get_if<double>(value.operator->())) {
    return std::to_string(static_cast<long long>(*number));
  }
  return std::get<bool>(*value) ? "true" : "false";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lua_shared_dict)

BOOST_AUTO_TEST_CASE(modes_add_replace_and_values) {
  SharedDict dict("d", roomFor(10));
  BOOST_TEST((dict.set("a", std::string("1"), 0, Mode::kAdd).outcome == Outcome::kOk));
  BOOST_TEST((dict.set("a", std::string("2"), 0, Mode::kAdd).outcome == Outcome::kExists));
  BOOST_TEST((dict.set("a", std::string("2"), 0, Mode::kSafeAdd).outcome == Outcome::kExists));
  BOOST_TEST((dict.set("b", std::string("1"), 0, Mode::kReplace).outcome == Outcome::kNotFound));
  BOOST_TEST((dict.set("a", true, 0, Mode::kReplace).outcome == Outcome::kOk));
  BOOST_TEST(stringOf(dict.get("a")) == "true");
  BOOST_TEST(stringOf(dict.get("b")) == "<none>");
  dict.remove("a");
  BOOST_TEST(stringOf(dict.get("a")) == "<none>");
  BOOST_TEST(dict.usedBytes() == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_dictionary_evicts_the_least_recently_used) {
  SharedDict dict("d", roomFor(3));
  for (const char* key : {"a", "b", "c"}) {
    BOOST_TEST(!dict.set(key, std::string("v"), 0, Mode::kSet).forcible);
  }
  BOOST_TEST(stringOf(dict.get("a")) == "v");  // a is now the most recent; b the oldest
  const auto written = dict.set("d", std::string("v"), 0, Mode::kSet);
  BOOST_TEST((written.outcome == Outcome::kOk));
  BOOST_TEST(written.forcible);
  BOOST_TEST(stringOf(dict.get("b")) == "<none>");
  BOOST_TEST(stringOf(dict.get("a")) == "v");
  BOOST_TEST(stringOf(dict.get("c")) == "v");
  BOOST_TEST(dict.keys(0).size() == 3u);
  BOOST_TEST(dict.keys(2).size() == 2u);
  BOOST_TEST(dict.keys(1).front() == "c");  // most recently used first
}

BOOST_AUTO_TEST_CASE(safe_modes_never_evict_and_nothing_bigger_than_the_dictionary_fits) {
  SharedDict dict("d", roomFor(2));
  dict.set("a", std::string("v"), 0, Mode::kSet);
  dict.set("b", std::string("v"), 0, Mode::kSet);
  const auto refused = dict.set("c", std::string("v"), 0, Mode::kSafeSet);
  BOOST_TEST((refused.outcome == Outcome::kNoMemory));
  BOOST_TEST(stringOf(dict.get("a")) == "v");
  BOOST_TEST(stringOf(dict.get("b")) == "v");
  BOOST_TEST(
      (dict.set("c", std::string(roomFor(3), 'x'), 0, Mode::kSet).outcome == Outcome::kNoMemory));
  BOOST_TEST(stringOf(dict.get("a")) == "v");
  // Overwriting an entry in place needs only the difference.
  BOOST_TEST((dict.set("a", std::string("w"), 0, Mode::kSafeSet).outcome == Outcome::kOk));
}

BOOST_AUTO_TEST_CASE(entries_expire_after_their_ttl) {
  double now = 100;
  SharedDict dict("d", roomFor(4), [&] { return now; });
  dict.set("short", std::string("1"), 5, Mode::kSet);
  dict.set("long", std::string("1"), 0, Mode::kSet);
  now = 104.9;
  BOOST_TEST(stringOf(dict.get("short")) == "1");
  now = 105;
  BOOST_TEST(stringOf(dict.get("short")) == "<none>");
  BOOST_TEST(dict.keys(0).size() == 1u);
  BOOST_TEST((dict.set("short", std::string("2"), 0, Mode::kAdd).outcome == Outcome::kOk));

  // A safe write may reuse the room of expired entries (it does not fit beside both).
  dict.set("short", std::string("1"), 1, Mode::kSet);
  const std::string big(100, 'z');
  BOOST_TEST((dict.set("x", big, 0, Mode::kSafeSet).outcome == Outcome::kNoMemory));
  now = 200;
  const auto written = dict.set("x", big, 0, Mode::kSafeSet);
  BOOST_TEST((written.outcome == Outcome::kOk));
  BOOST_TEST(!written.forcible);
}

BOOST_AUTO_TEST_CASE(incr_counts_and_initialises) {
  double now = 0;
  SharedDict dict("d", roomFor(4), [&] { return now; });
  BOOST_TEST((dict.incr("n", 1, std::nullopt, 0).outcome == Outcome::kNotFound));
  auto first = dict.incr("n", 1, 10, 30);
  BOOST_TEST((first.outcome == Outcome::kOk));
  BOOST_TEST(first.value == 11);
  BOOST_TEST(dict.incr("n", -4, std::nullopt, 0).value == 7);
  now = 31;  // init_ttl applied to the new entry
  BOOST_TEST((dict.incr("n", 1, std::nullopt, 0).outcome == Outcome::kNotFound));
  dict.set("s", std::string("x"), 0, Mode::kSet);
  BOOST_TEST((dict.incr("s", 1, 0, 0).outcome == Outcome::kNotANumber));
}

BOOST_AUTO_TEST_CASE(two_threads_incrementing_absent_keys_lose_no_update) {
  // Each key starts absent, so every first increment races to initialise it.
  constexpr int kKeys = 20000;
  SharedDict dict("d", 4 << 20);
  auto count = [&] {
    for (int i = 0; i < kKeys; ++i) dict.incr(std::to_string(i), 1, 0, 0);
  };
  std::thread other(count);
  count();
  other.join();
  int wrong = 0;
  for (int i = 0; i < kKeys; ++i) wrong += stringOf(dict.get(std::to_string(i))) != "2";
  BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_CASE(the_registry_shares_a_dictionary_while_a_config_holds_it) {
  SharedDictRegistry& registry = SharedDictRegistry::instance();
  SharedDictPtr first = registry.acquire("registry_test", 8192);
  first->set("k", std::string("v"), 0, Mode::kSet);
  SharedDictPtr reloaded = registry.acquire("registry_test", 8192);
  BOOST_TEST(reloaded.get() == first.get());
  SharedDictPtr resized = registry.acquire("registry_test", 16384);
  BOOST_TEST(resized.get() != first.get());
  BOOST_TEST(stringOf(resized->get("k")) == "<none>");
  first.reset();
  reloaded.reset();
  resized.reset();
  SharedDictPtr fresh = registry.acquire("registry_test", 8192);
  BOOST_TEST(stringOf(fresh->get("k")) == "<none>");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::lua
