// HeaderMutation: one level's (route config, virtual host or route) request or response header
// changes, in Envoy's field names:
//   "request_headers_to_add":  [{"header": {"key": "x-a", "value": "1"},
//                                "append_action": "APPEND_IF_EXISTS_OR_ADD" | "ADD_IF_ABSENT" |
//                                                 "OVERWRITE_IF_EXISTS_OR_ADD" |
//                                                 "OVERWRITE_IF_EXISTS",
//                                "keep_empty_value": false}]
//                              ("append": true|false is the older spelling of the first and
//                               third actions; default: append)
//   "request_headers_to_remove": ["x-b"]
// and the same with "response_". Removals run before additions. Values are literal: Envoy's
// %FORMATTER% syntax is not supported yet, so a '%' must be written "%%". An empty value is not
// added unless keep_empty_value. Pseudo-headers cannot be added or removed, nor can "host" on
// requests (change :authority with host_rewrite_literal).
//
// The router applies the route's mutation, then the virtual host's, then the route config's (so,
// as in Envoy, an outer level's overwrite wins over an inner level's). Immutable after parse.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/status.h"

namespace YAML {
class Node;
}

namespace weft::router {

// Where a mutation writes: a stream's header map, or the headers of a local reply being built.
class HeaderTarget {
 public:
  virtual ~HeaderTarget() = default;
  virtual bool has(std::string_view name) const = 0;
  virtual void add(std::string_view name, std::string_view value) = 0;
  virtual void set(std::string_view name, std::string_view value) = 0;  // replace all values
  virtual void remove(std::string_view name) = 0;
};

// The headers of a local reply under construction (owned strings, in order).
class ReplyHeaders final : public HeaderTarget {
 public:
  bool has(std::string_view name) const override;
  void add(std::string_view name, std::string_view value) override;
  void set(std::string_view name, std::string_view value) override;
  void remove(std::string_view name) override;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

class HeaderMutation {
 public:
  enum class Direction { kRequest, kResponse };
  enum class AppendAction { kAppendOrAdd, kAddIfAbsent, kOverwriteOrAdd, kOverwriteIfExists };

  // Reads "<dir>_headers_to_add" and "<dir>_headers_to_remove" from the map at `where`.
  static Result<HeaderMutation> parse(const YAML::Node& map, Direction direction,
                                      const std::string& where);

  void apply(HeaderTarget& target) const;
  bool empty() const { return add_.empty() && remove_.empty(); }

 private:
  struct Addition {
    std::string name;  // lower case
    std::string value;
    AppendAction action = AppendAction::kAppendOrAdd;
  };
  static Result<Addition> parseAddition(const YAML::Node& node, Direction direction,
                                        const std::string& where);

  std::vector<std::string> remove_;  // lower case
  std::vector<Addition> add_;
};

}  // namespace weft::router
