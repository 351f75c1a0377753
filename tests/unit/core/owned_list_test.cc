// OwnedList: elements come back in order, removal from the front, middle and back relinks the
// rest, a removed element can be listed again, and clear() (also from the destructor) destroys
// every element even when an element's destructor removes another.
#include "core/common/owned_list.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

namespace weft {
namespace {

struct Item : OwnedListLinks<Item> {
  Item(std::string name, std::vector<std::string>* destroyed)
      : name(std::move(name)), destroyed(destroyed) {}
  ~Item() {
    if (destroyed) destroyed->push_back(name);
    if (partner) partner_list->remove(*partner).reset();
  }
  std::string name;
  std::vector<std::string>* destroyed;
  Item* partner = nullptr;  // removed (and destroyed) with this one
  OwnedList<Item>* partner_list = nullptr;
};

std::string names(const OwnedList<Item>& list) {
  std::string out;
  for (const Item& item : list) out += item.name;
  return out;
}

BOOST_AUTO_TEST_SUITE(owned_list)

BOOST_AUTO_TEST_CASE(keeps_order_and_relinks_on_removal) {
  std::vector<std::string> destroyed;
  OwnedList<Item> list;
  BOOST_CHECK(list.empty());
  Item& a = list.pushBack(std::make_unique<Item>("a", &destroyed));
  Item& b = list.pushBack(std::make_unique<Item>("b", &destroyed));
  Item& c = list.pushBack(std::make_unique<Item>("c", &destroyed));
  Item& d = list.pushBack(std::make_unique<Item>("d", &destroyed));
  BOOST_CHECK_EQUAL(names(list), "abcd");
  BOOST_CHECK_EQUAL(list.size(), 4u);
  BOOST_CHECK_EQUAL(&list.front(), &a);

  std::unique_ptr<Item> middle = list.remove(b);  // handed back, not destroyed
  BOOST_CHECK(destroyed.empty());
  BOOST_CHECK_EQUAL(names(list), "acd");
  list.remove(a).reset();
  BOOST_CHECK_EQUAL(names(list), "cd");
  BOOST_CHECK_EQUAL(&list.front(), &c);
  list.remove(d).reset();
  BOOST_CHECK_EQUAL(names(list), "c");
  BOOST_CHECK_EQUAL(list.size(), 1u);

  list.pushBack(std::move(middle));  // a removed element can be listed again, last
  BOOST_CHECK_EQUAL(names(list), "cb");
  list.remove(c).reset();
  list.remove(b).reset();
  BOOST_CHECK(list.empty());
  BOOST_CHECK_EQUAL(list.size(), 0u);
  BOOST_CHECK(list.begin() == list.end());
  BOOST_CHECK((destroyed == std::vector<std::string>{"a", "d", "c", "b"}));
}

BOOST_AUTO_TEST_CASE(clear_destroys_everything_even_what_destructors_remove) {
  std::vector<std::string> destroyed;
  {
    OwnedList<Item> list;
    Item& a = list.pushBack(std::make_unique<Item>("a", &destroyed));
    list.pushBack(std::make_unique<Item>("b", &destroyed));
    Item& c = list.pushBack(std::make_unique<Item>("c", &destroyed));
    a.partner = &c;  // destroying a removes and destroys c
    a.partner_list = &list;
    list.clear();
    BOOST_CHECK(list.empty());
    BOOST_CHECK((destroyed == std::vector<std::string>{"a", "c", "b"}));
    list.pushBack(std::make_unique<Item>("e", &destroyed));
  }  // the destructor clears what is left
  BOOST_CHECK_EQUAL(destroyed.back(), "e");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft
