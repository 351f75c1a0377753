// The one place that defines Boost.Test's main; every test executable links it.
#define BOOST_TEST_MODULE weft
#include <boost/test/unit_test.hpp>
