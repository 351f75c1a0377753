// YAML → compact JSON text, for the config blocks Weft hands on as JSON: a filter's `config:`
// block (given to the filter through the ABI) and each route config (parsed by the router).
//
// Mapping:
//   map       → object, keys in document order; every key becomes a JSON string (a null key
//               becomes "null"); a key that is itself a map or a list, or a key written twice in
//               one map, is an error.
//   sequence  → array.
//   scalar    → null for ~ / null / an empty value; true / false for the YAML 1.2 booleans
//               (true, True, TRUE, false, False, FALSE); the number itself when the scalar is
//               plain (not quoted, not tagged) and its text is a JSON number ("8080", "-1.5e3");
//               a JSON string otherwise ("yes", "0x1F", "'8080'", "1.", "+1").
// Strings are escaped so the output is pure ASCII: \" \\ \b \f \n \r \t, other control bytes
// and DEL as \u00XX, every non-ASCII character as \uXXXX (a surrogate pair beyond U+FFFF), and
// bytes that are not valid UTF-8 as \ufffd.
//
// Limits: YAML aliases can make a small file describe a huge (or cyclic) tree, so nesting deeper
// than kMaxJsonDepth and output longer than `max_bytes` are errors rather than a hang or a crash.
// Pure function; any thread.
#pragma once

#include <yaml-cpp/node/node.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace weft::config {

inline constexpr size_t kMaxJsonDepth = 64;
inline constexpr size_t kDefaultMaxJsonBytes = 4 * 1024 * 1024;

// The JSON text of `node`, or an error ("nested deeper than 64 levels", "duplicate key \"a\"
// (line 7)", ...) meant to follow the caller's "<file>:<line>: <field>: ".
Result<std::string> yamlToJson(const YAML::Node& node, size_t max_bytes = kDefaultMaxJsonBytes);

}  // namespace weft::config
