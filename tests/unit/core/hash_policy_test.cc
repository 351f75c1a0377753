// Tests for hash policies (core/upstream/hash_policy.h): each source (header, cookie, source IP,
// query parameter), the set-cookie decision when an affinity cookie is absent, combining several
// policies, and the cookie / query parsers.
#include "core/upstream/hash_policy.h"

#include <bit>
#include <boost/test/unit_test.hpp>
#include <map>
#include <vector>

#include "core/upstream/load_balancer_hash.h"

namespace weft::upstream {
namespace {

using namespace std::chrono_literals;

// A request with the given headers (lower-case names), path and source IP.
struct FakeRequest {
  std::map<std::string, std::string> headers;
  std::string path = "/";
  std::string source_ip;
  int cookies_made = 0;

  HashRequest view() {
    HashRequest request;
    request.header = [this](std::string_view name) -> std::optional<std::string_view> {
      auto found = headers.find(std::string(name));
      if (found == headers.end()) return std::nullopt;
      return std::string_view(found->second);
    };
    request.path = path;
    request.source_ip = source_ip;
    request.new_cookie_value = [this] { return "generated-" + std::to_string(++cookies_made); };
    return request;
  }
};

HashPolicy header(std::string name, bool terminal = false) {
  HashPolicy p;
  p.source = HashPolicy::Source::kHeader;
  p.name = std::move(name);
  p.terminal = terminal;
  return p;
}

HashPolicy cookie(std::string name, std::optional<std::chrono::seconds> ttl = std::nullopt,
                  std::string path = "") {
  HashPolicy p;
  p.source = HashPolicy::Source::kCookie;
  p.name = std::move(name);
  p.cookie_ttl = ttl;
  p.cookie_path = std::move(path);
  return p;
}

HashDecision decide(std::vector<HashPolicy> policies, FakeRequest& request) {
  return computeHash(policies, request.view());
}

BOOST_AUTO_TEST_SUITE(hash_policy)

BOOST_AUTO_TEST_CASE(header_value_is_hashed_when_present) {
  FakeRequest request;
  request.headers["x-user"] = "alice";
  HashDecision found = decide({header("x-user")}, request);
  BOOST_TEST((found.key == hash64("alice")));
  BOOST_TEST(!found.set_cookie);
  BOOST_TEST(!decide({header("x-tenant")}, request).key);
}

BOOST_AUTO_TEST_CASE(source_ip_is_hashed_when_known) {
  FakeRequest request;
  HashPolicy by_ip;
  by_ip.source = HashPolicy::Source::kSourceIp;
  BOOST_TEST(!decide({by_ip}, request).key);
  request.source_ip = "192.0.2.7";
  BOOST_TEST((decide({by_ip}, request).key == hash64("192.0.2.7")));
}

BOOST_AUTO_TEST_CASE(query_parameter_value_is_hashed_when_present) {
  HashPolicy by_query;
  by_query.source = HashPolicy::Source::kQueryParameter;
  by_query.name = "session";
  FakeRequest request;
  request.path = "/cart?item=3&session=s42&session=other";
  BOOST_TEST((decide({by_query}, request).key == hash64("s42")));  // the first occurrence
  request.path = "/cart?item=3";
  BOOST_TEST(!decide({by_query}, request).key);
  request.path = "/cart";
  BOOST_TEST(!decide({by_query}, request).key);
}

BOOST_AUTO_TEST_CASE(present_cookie_is_hashed_and_nothing_is_set) {
  FakeRequest request;
  request.headers["cookie"] = "theme=dark; affinity=\"abc123\"; lang=en";
  HashDecision decision = decide({cookie("affinity", 3600s, "/")}, request);
  BOOST_TEST((decision.key == hash64("abc123")));
  BOOST_TEST(!decision.set_cookie);
  BOOST_TEST(request.cookies_made == 0);
}

BOOST_AUTO_TEST_CASE(absent_cookie_without_ttl_gives_no_key_and_sets_nothing) {
  FakeRequest request;
  request.headers["cookie"] = "theme=dark";
  HashDecision decision = decide({cookie("affinity")}, request);
  BOOST_TEST(!decision.key);
  BOOST_TEST(!decision.set_cookie);
  BOOST_TEST(request.cookies_made == 0);
}

BOOST_AUTO_TEST_CASE(absent_cookie_with_ttl_is_set_and_the_next_request_lands_alike) {
  FakeRequest first;  // no Cookie header at all
  HashDecision decision = decide({cookie("affinity", 3600s, "/shop")}, first);
  BOOST_REQUIRE(decision.set_cookie);
  BOOST_TEST(decision.set_cookie->name == "affinity");
  BOOST_TEST(decision.set_cookie->value == "generated-1");
  BOOST_TEST(decision.set_cookie->path == "/shop");
  BOOST_TEST((decision.set_cookie->ttl == 3600s));
  BOOST_TEST(formatSetCookie(*decision.set_cookie) ==
             "affinity=generated-1; Max-Age=3600; Path=/shop; HttpOnly");
  // The browser sends the cookie back: same key, nothing more to set.
  FakeRequest second;
  second.headers["cookie"] = "affinity=generated-1";
  HashDecision again = decide({cookie("affinity", 3600s, "/shop")}, second);
  BOOST_TEST((again.key == decision.key));
  BOOST_TEST(!again.set_cookie);
}

BOOST_AUTO_TEST_CASE(a_zero_ttl_sets_a_session_cookie) {
  FakeRequest request;
  HashDecision decision = decide({cookie("affinity", 0s)}, request);
  BOOST_REQUIRE(decision.set_cookie);
  BOOST_TEST(formatSetCookie(*decision.set_cookie) == "affinity=generated-1; HttpOnly");
}

BOOST_AUTO_TEST_CASE(several_policies_combine_and_terminal_stops) {
  FakeRequest request;
  request.headers["x-a"] = "1";
  request.headers["x-b"] = "2";
  uint64_t a = hash64("1"), b = hash64("2");
  BOOST_TEST((decide({header("x-a"), header("x-b")}, request).key == (std::rotl(a, 1) ^ b)));
  BOOST_TEST((decide({header("x-a", /*terminal=*/true), header("x-b")}, request).key == a));
  // A terminal policy that finds nothing does not stop the list.
  BOOST_TEST((decide({header("x-none", true), header("x-b")}, request).key == b));
  BOOST_TEST(!decide({}, request).key);
}

BOOST_AUTO_TEST_CASE(cookie_parser_handles_spacing_quotes_and_lookalikes) {
  BOOST_TEST((findCookie("a=1; b=2", "b") == std::optional<std::string_view>("2")));
  BOOST_TEST((findCookie("a=1;b=2", "b") == std::optional<std::string_view>("2")));
  BOOST_TEST((findCookie("  ab=1 ;  b = \"x y\" ", "b") == std::optional<std::string_view>("x y")));
  BOOST_TEST((findCookie("b=", "b") == std::optional<std::string_view>("")));
  BOOST_TEST(!findCookie("ab=1; bb=2", "b"));
  BOOST_TEST(!findCookie("b", "b"));
  BOOST_TEST(!findCookie("", "b"));
}

BOOST_AUTO_TEST_CASE(query_parser_handles_flags_empties_and_fragments) {
  BOOST_TEST((findQueryParameter("/p?a=1&b", "b") == std::optional<std::string_view>("")));
  BOOST_TEST((findQueryParameter("/p?a=&b=2", "a") == std::optional<std::string_view>("")));
  BOOST_TEST((findQueryParameter("/p?a=1#b=2", "b") == std::nullopt));
  BOOST_TEST((findQueryParameter("/p?x=a=b", "x") == std::optional<std::string_view>("a=b")));
  BOOST_TEST(!findQueryParameter("/p?ab=1", "b"));
  BOOST_TEST(!findQueryParameter("/p/b=1", "b"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::upstream
