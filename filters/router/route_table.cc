// RouteTable parsing (main thread, may use yaml-cpp's exceptions) and lookup (workers,
// allocation-free).
#include "filters/router/route_table.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>

namespace weft::router {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

std::string field(const std::string& where, std::string_view name) {
  return where.empty() ? std::string(name) : where + "." + std::string(name);
}

std::string indexed(const std::string& where, size_t i) {
  return where + "[" + std::to_string(i) + "]";
}

Status fail(const std::string& where, std::string_view what) {
  return Status::error((where.empty() ? std::string() : where + ": ") + std::string(what));
}

// Rejects keys of `map` outside `allowed`: an unsupported feature must not be silently ignored.
Status checkFields(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                   const std::string& where) {
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return fail(where, "unknown field '" + key + "' (supported: " + list + ")");
    }
  }
  return Status::ok();
}

// Reads map[key] as a string into `out`. Absent is fine unless `required`; present must be a
// non-empty scalar.
Status readString(const YAML::Node& map, const char* key, bool required, const std::string& where,
                  std::string& out) {
  const YAML::Node value = map[key];
  if (!value) return required ? fail(field(where, key), "required") : Status::ok();
  if (!value.IsScalar() || value.Scalar().empty()) {
    return fail(field(where, key), "must be a non-empty string");
  }
  out = value.Scalar();
  return Status::ok();
}

Status parseRoute(const YAML::Node& node, const std::string& where, const std::string& vhost_name,
                  size_t index, Route& route) {
  if (!node.IsMap()) return fail(where, "must be an object");
  if (Status s = checkFields(node, {"name", "match", "cluster"}, where); !s) return s;
  if (Status s = readString(node, "cluster", true, where, route.cluster); !s) return s;
  if (Status s = readString(node, "name", false, where, route.name); !s) return s;
  if (route.name.empty()) route.name = vhost_name + "/" + std::to_string(index);

  const std::string match_where = field(where, "match");
  const YAML::Node match = node["match"];
  if (!match || !match.IsMap()) return fail(match_where, "required, an object");
  if (Status s = checkFields(match, {"path", "prefix"}, match_where); !s) return s;
  const bool has_path = static_cast<bool>(match["path"]);
  if (has_path == static_cast<bool>(match["prefix"])) {
    return fail(match_where, "needs exactly one of path, prefix");
  }
  route.match = has_path ? Route::Match::kPath : Route::Match::kPrefix;
  const char* key = has_path ? "path" : "prefix";
  if (Status s = readString(match, key, true, match_where, route.pattern); !s) return s;
  if (route.pattern.front() != '/') return fail(field(match_where, key), "must start with '/'");
  return Status::ok();
}

}  // namespace

size_t CaseInsensitiveHash::operator()(std::string_view s) const noexcept {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : s) {
    h ^= static_cast<unsigned char>(lower(c));
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

bool CaseInsensitiveEqual::operator()(std::string_view a, std::string_view b) const noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool WildcardIndex::add(std::string fixed, uint32_t vhost) {
  const size_t length = fixed.size();
  auto it = std::find_if(by_length_.begin(), by_length_.end(),
                         [&](const auto& group) { return group.first <= length; });
  if (it == by_length_.end() || it->first != length)
    it = by_length_.emplace(it, length, DomainMap());
  return it->second.emplace(std::move(fixed), vhost).second;
}

int64_t WildcardIndex::find(std::string_view host) const {
  for (const auto& [length, domains] : by_length_) {
    if (host.size() <= length) continue;  // the '*' stands for at least one character
    const std::string_view fixed =
        side_ == Side::kSuffix ? host.substr(host.size() - length) : host.substr(0, length);
    if (auto it = domains.find(fixed); it != domains.end()) return it->second;
  }
  return -1;
}

bool Route::matches(std::string_view path) const {
  return match == Match::kPath ? path == pattern : path.substr(0, pattern.size()) == pattern;
}

const Route* VirtualHost::match(std::string_view path) const {
  path = stripQuery(path);
  for (const Route& route : routes) {
    if (route.matches(path)) return &route;
  }
  return nullptr;
}

std::string_view stripPort(std::string_view authority) {
  if (authority.empty() || authority.back() == ']') return authority;  // no port, or "[v6]"
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return authority;
  // A bare IPv6 address has more colons and no brackets: leave it alone.
  if (authority.front() != '[' && authority.find(':') != colon) return authority;
  for (char c : authority.substr(colon + 1)) {
    if (c < '0' || c > '9') return authority;
  }
  return authority.substr(0, colon);
}

std::string_view stripQuery(std::string_view path) {
  return path.substr(0, std::min(path.find_first_of("?#"), path.size()));
}

Result<RouteTable> RouteTable::parse(std::string_view json) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(json));
  } catch (const YAML::Exception& e) {
    return Status::error("route config: invalid JSON at line " + std::to_string(e.mark.line + 1) +
                         ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return fromNode(root);
}

Result<RouteTable> RouteTable::fromNode(const YAML::Node& root) {
  RouteTable table;
  std::string prefix = "route config";
  try {
    if (!root.IsMap()) return Status::error(prefix + ": must be a JSON object");
    Status s = readString(root, "name", false, "", table.name_);
    if (s && !table.name_.empty()) prefix += " '" + table.name_ + "'";
    if (s) s = checkFields(root, {"name", "virtual_hosts"}, "");
    const YAML::Node vhosts = root["virtual_hosts"];
    if (s && (!vhosts || !vhosts.IsSequence())) s = fail("virtual_hosts", "required, a list");
    for (size_t i = 0; s && i < vhosts.size(); ++i) {
      s = table.addVirtualHost(vhosts[i], static_cast<uint32_t>(i));
    }
    if (!s) return Status::error(prefix + ": " + s.message());
  } catch (const YAML::Exception& e) {
    return Status::error(prefix + ": " + e.msg);
  }
  return table;
}

Status RouteTable::addVirtualHost(const YAML::Node& node, uint32_t index) {
  const std::string where = indexed("virtual_hosts", index);
  if (!node.IsMap()) return fail(where, "must be an object");
  VirtualHost vhost;
  if (Status s = checkFields(node, {"name", "domains", "routes"}, where); !s) return s;
  if (Status s = readString(node, "name", true, where, vhost.name); !s) return s;

  const std::string domains_where = field(where, "domains");
  const YAML::Node domains = node["domains"];
  if (!domains || !domains.IsSequence() || domains.size() == 0) {
    return fail(domains_where, "required, a non-empty list");
  }
  for (size_t d = 0; d < domains.size(); ++d) {
    if (!domains[d].IsScalar() || domains[d].Scalar().empty()) {
      return fail(indexed(domains_where, d), "must be a non-empty string");
    }
    vhost.domains.push_back(lowered(domains[d].Scalar()));
    if (Status s = addDomain(vhost.domains.back(), index, indexed(domains_where, d)); !s) return s;
  }

  const std::string routes_where = field(where, "routes");
  const YAML::Node routes = node["routes"];
  if (routes && !routes.IsSequence()) return fail(routes_where, "must be a list");
  for (size_t r = 0; routes && r < routes.size(); ++r) {
    Route& route = vhost.routes.emplace_back();
    if (Status s = parseRoute(routes[r], indexed(routes_where, r), vhost.name, r, route); !s) {
      return s;
    }
  }
  vhosts_.push_back(std::move(vhost));
  return Status::ok();
}

Status RouteTable::addDomain(const std::string& domain, uint32_t vhost, const std::string& where) {
  const size_t stars = std::count(domain.begin(), domain.end(), '*');
  bool added = false;
  if (domain == "*") {
    added = any_ < 0;
    if (added) any_ = vhost;
  } else if (stars == 1 && domain.front() == '*') {
    added = suffix_.add(domain.substr(1), vhost);
  } else if (stars == 1 && domain.back() == '*') {
    added = prefix_.add(domain.substr(0, domain.size() - 1), vhost);
  } else if (stars == 0) {
    added = exact_.emplace(domain, vhost).second;
  } else {
    return fail(where, "'" + domain + "': a wildcard must be the whole domain, its first or its " +
                           "last character");
  }
  if (!added) return fail(where, "duplicate domain '" + domain + "' (each may appear only once)");
  return Status::ok();
}

const VirtualHost* RouteTable::virtualHost(std::string_view authority) const {
  const std::string_view host = stripPort(authority);
  if (host.size() != authority.size()) {
    if (auto it = exact_.find(authority); it != exact_.end()) return &vhosts_[it->second];
  }
  if (auto it = exact_.find(host); it != exact_.end()) return &vhosts_[it->second];
  int64_t index = suffix_.find(host);
  if (index < 0) index = prefix_.find(host);
  if (index < 0) index = any_;
  return index < 0 ? nullptr : &vhosts_[static_cast<size_t>(index)];
}

const Route* RouteTable::route(std::string_view authority, std::string_view path) const {
  const VirtualHost* vhost = virtualHost(authority);
  return vhost == nullptr ? nullptr : vhost->match(path);
}

}  // namespace weft::router
