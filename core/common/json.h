// Writing JSON strings: quoting and escaping, shared by everything that emits JSON (config
// blocks handed to filters, the JSON access log, admin endpoints).
#pragma once

#include <string>
#include <string_view>

namespace weft::json {

// Appends `text` as a quoted JSON string. The output is pure ASCII: \" \\ \b \f \n \r \t,
// other control bytes and every non-ASCII character as \uXXXX (surrogate pairs beyond U+FFFF);
// bytes that are not well-formed UTF-8 become U+FFFD.
void appendString(std::string& out, std::string_view text);
// The same, as a new string.
std::string quoted(std::string_view text);

}  // namespace weft::json
