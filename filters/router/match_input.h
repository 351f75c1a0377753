// MatchInput: what route and fault matching read from a request besides its path — header values
// (pseudo-headers ":method", ":scheme", ":authority" included) and the port the client connected
// to. The router and the fault filter read them through the filter ABI (stream headers and stream
// info); ListMatchInput serves callers that hold the headers as a plain list (tests, benchmarks).
//
// An input belongs to one request on one thread; views it returns stay valid while the request's
// headers are unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::router {

class MatchInput {
 public:
  virtual ~MatchInput() = default;
  // The index-th value of header `name` (given in lower case), or nullopt past the last one.
  virtual std::optional<std::string_view> header(std::string_view name, size_t index) const = 0;
  // The port the client connected to (the listener's port), or nullopt when unknown.
  virtual std::optional<uint32_t> localPort() const = 0;
};

// A MatchInput over a list of (lower-case name, value) pairs and an optional port.
class ListMatchInput final : public MatchInput {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  explicit ListMatchInput(Fields fields = {}, std::optional<uint32_t> port = std::nullopt)
      : fields_(std::move(fields)), port_(port) {}

  std::optional<std::string_view> header(std::string_view name, size_t index) const override {
    for (const auto& [n, v] : fields_) {
      if (n == name && index-- == 0) return std::string_view(v);
    }
    return std::nullopt;
  }
  std::optional<uint32_t> localPort() const override { return port_; }

 private:
  Fields fields_;
  std::optional<uint32_t> port_;
};

}  // namespace weft::router
