// libFuzzer target for the bootstrap loader: feeds arbitrary bytes to parseBootstrap and, as
// YAML, to yamlToJson. Nothing may throw, crash or leak; an error must name the source; an
// accepted bootstrap must hold what the loader promises (names resolve, ports in range, every
// JSON text well-formed ASCII). A failed check aborts.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/config/bootstrap.h"
#include "core/config/yaml_to_json.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace weft::config;

// A strict JSON syntax checker for the texts yamlToJson writes (compact, ASCII only).
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view text) : text_(text) {}

  bool valid() { return value(0) && pos_ == text_.size(); }

 private:
  bool value(int depth) {
    if (depth > 100 || pos_ >= text_.size()) return false;
    switch (text_[pos_]) {
      case '{':
        return container('}', depth, true);
      case '[':
        return container(']', depth, false);
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  bool container(char close, int depth, bool object) {
    ++pos_;
    if (peek() == close) return ++pos_, true;
    for (;;) {
      if (object && !(string() && peek() == ':' && ++pos_)) return false;
      if (!value(depth + 1)) return false;
      if (peek() == close) return ++pos_, true;
      if (peek() != ',') return false;
      ++pos_;
    }
  }

  bool string() {
    if (peek() != '"') return false;
    for (++pos_; pos_ < text_.size(); ++pos_) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c < 0x20 || c >= 0x7f) return false;
      if (c == '"') return ++pos_, true;
      if (c != '\\') continue;
      if (++pos_ >= text_.size()) return false;
      const char e = text_[pos_];
      if (e == 'u') {
        for (int i = 0; i < 4; ++i) {
          if (++pos_ >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[pos_]))) {
            return false;
          }
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool number() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           std::string_view("+-.eE0123456789").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
    return pos_ > start;  // the exact grammar is yamlToJson's own check; this is only syntax
  }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  std::string_view text_;
  size_t pos_ = 0;
};

void checkBootstrap(const Bootstrap& b) {
  FUZZ_CHECK(b.workers <= 256);
  for (const Listener& listener : b.listeners) {
    FUZZ_CHECK(!listener.name.empty() && !listener.address.address.empty());
    FUZZ_CHECK(listener.address.port != 0);
    if (listener.protocol == ListenerProtocol::kTcp) {
      FUZZ_CHECK(b.findCluster(listener.cluster) != nullptr);
      FUZZ_CHECK(listener.filters.empty() && listener.route_config.empty());
    } else {
      bool found = false;
      for (const RouteConfig& route_config : b.route_configs) {
        found = found || route_config.name == listener.route_config;
      }
      FUZZ_CHECK(found && listener.cluster.empty());
    }
    for (const FilterConfig& filter : listener.filters) {
      FUZZ_CHECK(!filter.name.empty());
      FUZZ_CHECK(filter.plugin.empty() != filter.builtin.empty());
      FUZZ_CHECK(JsonChecker(filter.config_json).valid());
      FUZZ_CHECK(filter.location.rfind("fuzz.yaml:", 0) == 0);
    }
  }
  for (const RouteConfig& route_config : b.route_configs) {
    FUZZ_CHECK(!route_config.name.empty());
    FUZZ_CHECK(JsonChecker(route_config.json).valid());
  }
  for (const Cluster& cluster : b.clusters) {
    FUZZ_CHECK(!cluster.endpoints.empty() && cluster.connect_timeout_ms > 0);
    for (const Endpoint& endpoint : cluster.endpoints) FUZZ_CHECK(endpoint.address.port != 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  weft::Result<Bootstrap> result = parseBootstrap(text, "fuzz.yaml");
  if (result) {
    checkBootstrap(*result);
  } else {
    FUZZ_CHECK(result.status().message().rfind("fuzz.yaml", 0) == 0);
  }
  // yamlToJson on its own, over whatever the bytes parse to.
  YAML::Node node;
  try {
    node = YAML::Load(std::string(text));
  } catch (const YAML::Exception&) {
    return 0;
  }
  weft::Result<std::string> json = yamlToJson(node, 64 * 1024);
  if (json) FUZZ_CHECK(JsonChecker(*json).valid());
  return 0;
}
