// Hash policies: how a request becomes the 64-bit key that ring hash and Maglev map to a host
// (Istio DestinationRule `consistentHash`, Envoy route `hash_policy`). A key can come from a
// header, a cookie, the source IP or a query parameter. Several policies may be listed (Envoy):
// each that finds its input folds its hash into the key (key = rotl(key, 1) ^ hash); a `terminal`
// policy that found its input ends the list. No policy finding anything means no key, and the
// balancer picks at random.
//
// Cookie affinity: when the cookie is absent and the policy has a ttl, the caller is asked to set
// it. The caller supplies the new cookie's value (HashRequest::new_cookie_value, e.g. random
// bytes); the key is hashed from that value, so this request already goes where later requests
// carrying the cookie will go, and the decision says which Set-Cookie to add to the response.
//
// Free of the HTTP types: the caller adapts its header map to HashRequest. Pure functions, any
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace weft::upstream {

struct HashPolicy {
  enum class Source { kHeader, kCookie, kSourceIp, kQueryParameter };
  Source source = Source::kHeader;
  // The header, cookie or query parameter whose value is hashed; unused for kSourceIp.
  std::string name;
  // kCookie: absent → never set the cookie; 0 → set a session cookie; else its Max-Age.
  std::optional<std::chrono::seconds> cookie_ttl;
  std::string cookie_path;  // kCookie: Path attribute of a cookie we set; empty → none
  bool terminal = false;

  bool operator==(const HashPolicy&) const = default;
};

// The parts of one request that policies read.
struct HashRequest {
  // Required. The value of request header `name` (lower case; match it case-insensitively), or
  // nullopt. The "cookie" header is read through this, so join several Cookie headers with "; ".
  std::function<std::optional<std::string_view>(std::string_view name)> header;
  std::string_view path;       // request target, query string included ("/a?b=1")
  std::string_view source_ip;  // downstream peer, numeric, no port; empty if unknown
  // A fresh value for a cookie we are about to set. Called at most once per policy that needs it.
  std::function<std::string()> new_cookie_value;
};

struct CookieToSet {
  std::string name;
  std::string value;
  std::string path;          // empty: no Path attribute
  std::chrono::seconds ttl;  // 0: a session cookie (no Max-Age)
};

struct HashDecision {
  std::optional<uint64_t> key;
  std::optional<CookieToSet> set_cookie;  // the response should carry this cookie
};

HashDecision computeHash(std::span<const HashPolicy> policies, const HashRequest& request);

// The Set-Cookie header value for `cookie`: "name=value; Max-Age=3600; Path=/; HttpOnly".
std::string formatSetCookie(const CookieToSet& cookie);

// The value of cookie `name` in a Cookie header value ("a=1; b=2"), or nullopt. Surrounding double
// quotes are removed from the value.
std::optional<std::string_view> findCookie(std::string_view cookie_header, std::string_view name);

// The value of query parameter `name` in a request target ("/p?a=1&b"; "b" has the value ""), or
// nullopt. The first occurrence wins; nothing is percent-decoded.
std::optional<std::string_view> findQueryParameter(std::string_view path, std::string_view name);

}  // namespace weft::upstream
