// The payload bytes weft-grpc-test-client sends and weft-grpc-test-server generates, defined once
// so the client can check every byte that comes back (wrong size, order or content shows up).
#pragma once

#include <cstddef>
#include <string>

namespace weft::grpctest {

// `size` bytes for message or reply number `index`: byte j is 'a' + (index + j) % 26, so two
// neighbouring messages of the same size differ.
inline std::string patternPayload(size_t size, int index) {
  std::string bytes(size, '\0');
  for (size_t j = 0; j < size; ++j) {
    bytes[j] = static_cast<char>('a' + (static_cast<size_t>(index) + j) % 26);
  }
  return bytes;
}

}  // namespace weft::grpctest
