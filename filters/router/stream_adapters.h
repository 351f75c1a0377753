// The matchers' and mutations' views of a live stream, through the SDK (weft/filter.hpp):
//   StreamMatchInput  a MatchInput reading the request headers and the downstream local address;
//   StreamHeaders     a HeaderTarget writing one of the stream's header maps.
// Used by the router and the fault filter. Both are cheap to make and live for one hook call on
// the stream's worker; views they return follow the SDK's rules (valid until the map changes).
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

#include "filters/router/header_mutation.h"
#include "filters/router/match_input.h"
#include "weft/filter.hpp"

namespace weft::router {

class StreamMatchInput final : public MatchInput {
 public:
  explicit StreamMatchInput(const Stream& stream) : stream_(stream) {}

  std::optional<std::string_view> header(std::string_view name, size_t index) const override {
    return stream_.requestHeader(name, index);
  }
  // The port of WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS ("ip:port" or "[v6]:port"), read once.
  std::optional<uint32_t> localPort() const override {
    if (!port_read_) {
      port_read_ = true;
      const std::optional<std::string_view> address =
          stream_.info(WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS);
      const size_t colon = address ? address->rfind(':') : std::string_view::npos;
      uint32_t port = 0;
      if (colon != std::string_view::npos) {
        const char* first = address->data() + colon + 1;
        const char* last = address->data() + address->size();
        const auto [end, ec] = std::from_chars(first, last, port);
        if (ec == std::errc() && end == last && first != last) port_ = port;
      }
    }
    return port_;
  }

 private:
  const Stream& stream_;
  mutable bool port_read_ = false;
  mutable std::optional<uint32_t> port_;
};

class StreamHeaders final : public HeaderTarget {
 public:
  explicit StreamHeaders(HeaderMapRef map) : map_(map) {}

  // Writes were validated with the config (names, values), so the host accepts them.
  bool has(std::string_view name) const override { return map_.get(name).has_value(); }
  void add(std::string_view name, std::string_view value) override { map_.add(name, value); }
  void set(std::string_view name, std::string_view value) override { map_.set(name, value); }
  void remove(std::string_view name) override { map_.remove(name); }

 private:
  HeaderMapRef map_;
};

}  // namespace weft::router
