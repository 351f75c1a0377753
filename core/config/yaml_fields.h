// Typed reads of YAML fields, with messages that name file, line and field path. The bootstrap
// loader is built from these; any other YAML config reader can be too.
//
// Nothing here throws. A problem is recorded in a FieldErrors and reading carries on, so one pass
// over a document reports the first problem met. Every message reads
// "<source>:<line>: <field path>: <what is wrong>", e.g.
//   proxy.yaml:14: clusters[0].endpoints[1].port: must be an integer 1..65535, got "http"
// A value's problems are reported on the line of its key ("port:"), or of its "- " item in a list.
// Single-threaded use; the yaml-cpp nodes must outlive the objects that refer to them.
#pragma once

#include <yaml-cpp/node/node.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace weft::config {

// The problems found in one document; keeps the first one recorded (readers go through a document
// top to bottom, and a problem found later may be a consequence of an earlier one).
class FieldErrors {
 public:
  explicit FieldErrors(std::string source) : source_(std::move(source)) {}

  const std::string& source() const { return source_; }
  // "<source>:<line>" with a 1-based line, or just "<source>" when the position is unknown.
  std::string location(const YAML::Mark& mark) const;
  // Records "<location>: <path>: <what>" ("<location>: <what>" when `path` is empty).
  void add(const YAML::Mark& at, std::string_view path, std::string_view what);

  bool ok() const { return !message_.has_value(); }
  // Status::ok(), or the error to report.
  Status status() const;

 private:
  std::string source_;
  std::optional<std::string> message_;
};

// A value somewhere in the document: its node, where it is written and its path from the root.
struct Field {
  YAML::Node node;
  YAML::Mark mark;   // the line of its key, or of its list item
  std::string path;  // "listeners[0].port"; empty for the root
};

// "<parent>.<key>", or "<key>" when the parent is the root.
std::string joinPath(std::string_view parent, std::string_view key);

// `text` quoted and escaped like a JSON string, for messages.
std::string quoted(std::string_view text);
// A value for a message: "\"http\"" (quoted), "null", "a map", "a list".
std::string describe(const YAML::Node& node);

// A YAML map read as a set of named fields. Construction records a problem when the value is not
// a map, when a key is not a plain value, is written twice, or is not one of `allowed`.
class FieldMap {
 public:
  // `allowed` must outlive the FieldMap; empty means "any key" (e.g. a map of user names).
  FieldMap(const Field& field, std::span<const std::string_view> allowed, FieldErrors& errors);

  // False when the value was not a map; its fields then all read as absent.
  bool isMap() const { return is_map_; }
  const std::string& path() const { return path_; }
  const YAML::Mark& mark() const { return mark_; }
  // Every accepted field, in document order; Field::path ends with the key.
  struct Entry {
    std::string key;
    Field field;
  };
  const std::vector<Entry>& entries() const { return entries_; }

  // The field named `key`, if it is there.
  std::optional<Field> get(std::string_view key) const;
  // The same, recording "missing required field" (then `why`, if any) when it is not.
  std::optional<Field> require(std::string_view key, std::string_view why = {}) const;

 private:
  FieldErrors& errors_;
  std::string path_;
  YAML::Mark mark_;
  bool is_map_ = false;
  std::vector<Entry> entries_;
};

// Each reader stores the value in `out` and returns true, or records why it cannot and returns
// false leaving `out` untouched.

// A scalar that is not empty (numbers and booleans are read as their text).
bool readString(const Field& field, FieldErrors& errors, std::string& out);
// A decimal integer in [min, max] (quoted or not).
bool readUint(const Field& field, uint32_t min, uint32_t max, FieldErrors& errors, uint32_t& out);
// true / false (also True, TRUE, False, FALSE).
bool readBool(const Field& field, FieldErrors& errors, bool& out);
// A duration (see parseDurationMs) of at least `min_ms`.
bool readDuration(const Field& field, uint32_t min_ms, FieldErrors& errors, uint32_t& out_ms);
// The items of a list, each with path "<path>[i]" and its own line; records a problem and returns
// nothing when the value is not a list.
std::vector<Field> readList(const Field& field, FieldErrors& errors);
// The same, recording "must not be empty" for an empty list.
std::vector<Field> readNonEmptyList(const Field& field, FieldErrors& errors);

// "250ms", "2s", "1m", "1h" or a bare number of milliseconds, below 24h. The error explains the
// format ("must be a duration like ..."), without the value.
Result<uint32_t> parseDurationMs(std::string_view text);

}  // namespace weft::config
