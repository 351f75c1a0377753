// PathRewrite parsing and application: see path_rewrite.h.
#include "filters/router/path_rewrite.h"

#include <yaml-cpp/yaml.h>

#include "filters/router/config_fields.h"

namespace weft::router {

Result<PathRewrite> PathRewrite::parse(const YAML::Node& map, const std::string& where) {
  PathRewrite rewrite;
  if (map["prefix_rewrite"] && map["regex_rewrite"]) {
    return fail(where, "at most one of prefix_rewrite, regex_rewrite");
  }
  if (map["prefix_rewrite"]) {
    std::string prefix;
    if (Status s = readString(map, "prefix_rewrite", true, where, prefix); !s) return s;
    if (prefix.front() != '/') return fail(field(where, "prefix_rewrite"), "must start with '/'");
    rewrite.prefix_ = std::move(prefix);
  }
  if (map["regex_rewrite"]) {
    const std::string rewrite_where = field(where, "regex_rewrite");
    const YAML::Node node = map["regex_rewrite"];
    if (Status s = checkFields(node, {"pattern", "substitution"}, rewrite_where); !s) return s;
    const std::string pattern_where = field(rewrite_where, "pattern");
    if (Status s = checkMap(node["pattern"], pattern_where); !s) return s;
    if (Status s = checkFields(node["pattern"], {"regex"}, pattern_where); !s) return s;
    std::string pattern;
    if (Status s = readString(node["pattern"], "regex", true, pattern_where, pattern); !s) {
      return s;
    }
    if (!node["substitution"]) return fail(field(rewrite_where, "substitution"), "required");
    if (Status s = readText(node, "substitution", rewrite_where, rewrite.substitution_); !s) {
      return s;
    }
    Result<Regex> regex = Regex::compile(pattern, field(pattern_where, "regex"));
    if (!regex) return regex.status();
    if (Status s =
            regex->checkSubstitution(rewrite.substitution_, field(rewrite_where, "substitution"));
        !s) {
      return s;
    }
    rewrite.regex_ = std::move(*regex);
  }
  return rewrite;
}

std::string PathRewrite::apply(std::string_view path, std::string_view query,
                               size_t matched) const {
  std::string out;
  if (prefix_) {
    out.reserve(prefix_->size() + path.size() - matched + query.size() + 1);
    out.append(*prefix_).append(path.substr(matched));
  } else {
    out.assign(path);
    if (regex_) regex_->replaceAll(out, substitution_);
  }
  if (!query.empty()) out.append("?").append(query);
  return out;
}

}  // namespace weft::router
