// computeHash and its parsers: see hash_policy.h.
#include "core/upstream/hash_policy.h"

#include <bit>

#include "core/upstream/load_balancer_hash.h"

namespace weft::upstream {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits `s` at the first `separator`: the part before it, and `s` moved past it (empty when
// there is no separator).
std::string_view nextPiece(std::string_view& s, char separator) {
  size_t at = s.find(separator);
  std::string_view piece = s.substr(0, at);
  s = at == std::string_view::npos ? std::string_view() : s.substr(at + 1);
  return piece;
}

// What one policy hashes, if its input is there; may ask for a cookie to be set.
std::optional<uint64_t> evaluate(const HashPolicy& policy, const HashRequest& request,
                                 std::optional<CookieToSet>& set_cookie) {
  switch (policy.source) {
    case HashPolicy::Source::kHeader:
      if (auto value = request.header(policy.name)) return hash64(*value);
      return std::nullopt;
    case HashPolicy::Source::kSourceIp:
      if (!request.source_ip.empty()) return hash64(request.source_ip);
      return std::nullopt;
    case HashPolicy::Source::kQueryParameter:
      if (auto value = findQueryParameter(request.path, policy.name)) return hash64(*value);
      return std::nullopt;
    case HashPolicy::Source::kCookie: {
      if (auto header = request.header("cookie")) {
        if (auto value = findCookie(*header, policy.name)) return hash64(*value);
      }
      if (!policy.cookie_ttl || !request.new_cookie_value) return std::nullopt;
      set_cookie = CookieToSet{policy.name, request.new_cookie_value(), policy.cookie_path,
                               *policy.cookie_ttl};
      return hash64(set_cookie->value);
    }
  }
  return std::nullopt;
}

}  // namespace

HashDecision computeHash(std::span<const HashPolicy> policies, const HashRequest& request) {
  HashDecision decision;
  for (const HashPolicy& policy : policies) {
    std::optional<uint64_t> hash = evaluate(policy, request, decision.set_cookie);
    if (!hash) continue;
    decision.key = decision.key ? std::rotl(*decision.key, 1) ^ *hash : *hash;
    if (policy.terminal) break;
  }
  return decision;
}

std::string formatSetCookie(const CookieToSet& cookie) {
  std::string out = cookie.name + "=" + cookie.value;
  if (cookie.ttl.count() > 0) out += "; Max-Age=" + std::to_string(cookie.ttl.count());
  if (!cookie.path.empty()) out += "; Path=" + cookie.path;
  out += "; HttpOnly";
  return out;
}

std::optional<std::string_view> findCookie(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    std::string_view pair = nextPiece(cookie_header, ';');
    size_t equals = pair.find('=');
    if (equals == std::string_view::npos || trim(pair.substr(0, equals)) != name) continue;
    std::string_view value = trim(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> findQueryParameter(std::string_view path, std::string_view name) {
  size_t question = path.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = path.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    std::string_view parameter = nextPiece(query, '&');
    size_t equals = parameter.find('=');
    if (parameter.substr(0, equals) != name) continue;
    return equals == std::string_view::npos ? std::string_view() : parameter.substr(equals + 1);
  }
  return std::nullopt;
}

}  // namespace weft::upstream
