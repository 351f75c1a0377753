// The bootstrap weft-proxy runs on when started with no arguments: a sidecar in front of a local
// application on 127.0.0.1:8080, listening on 127.0.0.1:10000, admin on 127.0.0.1:9901.
#pragma once

#include <string_view>

namespace weft::config {

inline constexpr std::string_view kDefaultBootstrapName = "<embedded default bootstrap>";
extern const std::string_view kDefaultBootstrap;

}  // namespace weft::config
