// Command-line number parsing shared by weft-grpc-test-server and weft-grpc-test-client.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace weft::grpctest {

// All of `text` as a decimal integer within [min, max]; nullopt for anything else.
template <typename T>
std::optional<T> parseInteger(std::string_view text, T min, T max) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace weft::grpctest
