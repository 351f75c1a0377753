// HeaderMutation parsing and application: see header_mutation.h.
#include "filters/router/header_mutation.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>

#include "filters/router/config_fields.h"
#include "filters/router/string_matcher.h"

namespace weft::router {
namespace {

// RFC 9110 token characters.
bool isTokenChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

// A header name that may be changed at this direction: a lower-cased token, neither a
// pseudo-header nor (on requests) "host".
Result<std::string> changeableName(const std::string& raw, HeaderMutation::Direction direction,
                                   const std::string& where) {
  if (raw.front() == ':') return fail(where, "pseudo-header '" + raw + "' cannot be changed");
  if (!std::all_of(raw.begin(), raw.end(), isTokenChar)) {
    return fail(where, "'" + raw + "' is not a valid header name");
  }
  std::string name = raw;
  std::transform(name.begin(), name.end(), name.begin(), lowerAscii);
  if (direction == HeaderMutation::Direction::kRequest && name == "host") {
    return fail(where, "'host' cannot be changed here (use host_rewrite_literal)");
  }
  return name;
}

// The literal value of a configured header value: "%%" is '%'; any other '%' would be one of
// Envoy's formatters, which Weft does not expand yet.
Result<std::string> literalValue(const std::string& raw, const std::string& where) {
  std::string value;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\r' || c == '\n' || c == '\0') return fail(where, "must not contain CR, LF or NUL");
    if (c == '%') {
      if (i + 1 >= raw.size() || raw[i + 1] != '%') {
        return fail(where, "'%' formatters are not supported yet (write %% for a literal %)");
      }
      ++i;
    }
    value.push_back(c);
  }
  return value;
}

Result<HeaderMutation::AppendAction> readAppendAction(const YAML::Node& node,
                                                      const std::string& where) {
  using Action = HeaderMutation::AppendAction;
  if (node["append"] && node["append_action"]) {
    return fail(where, "at most one of append, append_action");
  }
  if (node["append"]) {
    bool append = true;
    if (Status s = readBool(node, "append", where, append); !s) return s;
    return append ? Action::kAppendOrAdd : Action::kOverwriteOrAdd;
  }
  std::string name = "APPEND_IF_EXISTS_OR_ADD";
  if (Status s = readString(node, "append_action", false, where, name); !s) return s;
  static constexpr std::pair<std::string_view, Action> kActions[] = {
      {"APPEND_IF_EXISTS_OR_ADD", Action::kAppendOrAdd},
      {"ADD_IF_ABSENT", Action::kAddIfAbsent},
      {"OVERWRITE_IF_EXISTS_OR_ADD", Action::kOverwriteOrAdd},
      {"OVERWRITE_IF_EXISTS", Action::kOverwriteIfExists}};
  for (const auto& [text, action] : kActions) {
    if (name == text) return action;
  }
  return fail(field(where, "append_action"),
              "must be APPEND_IF_EXISTS_OR_ADD, ADD_IF_ABSENT, OVERWRITE_IF_EXISTS_OR_ADD or "
              "OVERWRITE_IF_EXISTS, got '" +
                  name + "'");
}

}  // namespace

bool ReplyHeaders::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [&](const auto& f) { return f.first == name; });
}

void ReplyHeaders::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void ReplyHeaders::set(std::string_view name, std::string_view value) {
  remove(name);
  add(name, value);
}

void ReplyHeaders::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return f.first == name; });
}

Result<HeaderMutation::Addition> HeaderMutation::parseAddition(const YAML::Node& node,
                                                               Direction direction,
                                                               const std::string& where) {
  if (Status s =
          checkFields(node, {"header", "append", "append_action", "keep_empty_value"}, where);
      !s) {
    return s;
  }
  const std::string header_where = field(where, "header");
  const YAML::Node header = node["header"];
  if (Status s = checkMap(header, header_where); !s) return s;
  if (Status s = checkFields(header, {"key", "value"}, header_where); !s) return s;
  std::string key, raw_value;
  if (Status s = readString(header, "key", true, header_where, key); !s) return s;
  if (Status s = readText(header, "value", header_where, raw_value); !s) return s;

  Addition addition;
  Result<std::string> name = changeableName(key, direction, field(header_where, "key"));
  if (!name) return name.status();
  addition.name = std::move(*name);
  Result<std::string> value = literalValue(raw_value, field(header_where, "value"));
  if (!value) return value.status();
  addition.value = std::move(*value);
  Result<AppendAction> action = readAppendAction(node, where);
  if (!action) return action.status();
  addition.action = *action;
  return addition;
}

Result<HeaderMutation> HeaderMutation::parse(const YAML::Node& map, Direction direction,
                                             const std::string& where) {
  const std::string prefix = direction == Direction::kRequest ? "request" : "response";
  const std::string add_key = prefix + "_headers_to_add";
  const std::string remove_key = prefix + "_headers_to_remove";
  HeaderMutation mutation;

  std::vector<std::string> removals;
  if (Status s = readStringList(map, remove_key.c_str(), where, removals); !s) return s;
  for (size_t i = 0; i < removals.size(); ++i) {
    Result<std::string> name =
        changeableName(removals[i], direction, indexed(field(where, remove_key), i));
    if (!name) return name.status();
    mutation.remove_.push_back(std::move(*name));
  }

  const YAML::Node adds = map[add_key];
  const std::string add_where = field(where, add_key);
  if (Status s = checkList(adds, add_where); !s) return s;
  for (size_t i = 0; adds && i < adds.size(); ++i) {
    const std::string item_where = indexed(add_where, i);
    Result<Addition> addition = parseAddition(adds[i], direction, item_where);
    if (!addition) return addition.status();
    bool keep_empty = false;
    if (Status s = readBool(adds[i], "keep_empty_value", item_where, keep_empty); !s) return s;
    // An empty value is dropped unless asked for (Envoy): such an entry changes nothing.
    if (!addition->value.empty() || keep_empty) mutation.add_.push_back(std::move(*addition));
  }
  return mutation;
}

void HeaderMutation::apply(HeaderTarget& target) const {
  for (const std::string& name : remove_) target.remove(name);
  for (const Addition& a : add_) {
    switch (a.action) {
      case AppendAction::kAppendOrAdd:
        target.add(a.name, a.value);
        break;
      case AppendAction::kAddIfAbsent:
        if (!target.has(a.name)) target.add(a.name, a.value);
        break;
      case AppendAction::kOverwriteOrAdd:
        target.set(a.name, a.value);
        break;
      case AppendAction::kOverwriteIfExists:
        if (target.has(a.name)) target.set(a.name, a.value);
        break;
    }
  }
}

}  // namespace weft::router
