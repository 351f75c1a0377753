// The JSON line weft-grpc-test-client prints, read back by tests: a flat object whose values are
// strings or integers (the fields are listed at the top of grpc_test_client.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace weft::grpctest {

class ClientReport {
 public:
  // Parses one line `{"key": "text" or integer, ...}`. Nullopt for anything else, including
  // nested values and \u escapes above U+007F (the client writes neither).
  static std::optional<ClientReport> parse(std::string_view line);

  // The integer field `key`; nullopt if it is absent or a string.
  std::optional<int64_t> number(std::string_view key) const;
  // The string field `key`; nullopt if it is absent or an integer.
  std::optional<std::string> text(std::string_view key) const;

 private:
  std::map<std::string, std::variant<int64_t, std::string>, std::less<>> fields_;
};

// The last line of `output` that parses as a report, or nullopt.
std::optional<ClientReport> lastClientReport(std::string_view output);

}  // namespace weft::grpctest
