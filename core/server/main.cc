// weft-proxy: the sidecar / edge proxy. Usage: weft-proxy [-c bootstrap.yaml] [--workers N]
// With no file it runs on the embedded default bootstrap (core/config/default_bootstrap.h).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/common/logging.h"
#include "core/server/server.h"

namespace {

void usage() {
  std::fprintf(
      stderr,
      "usage: weft-proxy [-c|--config FILE] [--workers N] [--log-level LEVEL] [--validate]\n"
      "  FILE    the bootstrap YAML (listeners, route_configs, clusters); without it the\n"
      "          embedded default: 127.0.0.1:10000 -> a local app on 127.0.0.1:8080\n"
      "  N       worker threads (default: the file's `workers`, else one per core)\n"
      "  LEVEL   debug | info | warn | error (default info)\n"
      "  --validate  check FILE (and every filter's config) and exit: 0 valid, 1 not\n");
}

}  // namespace

int main(int argc, char** argv) {
  weft::server::Options options;
  bool validate_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if ((arg == "-c" || arg == "--config") && has_value) {
      options.config_path = argv[++i];
    } else if (arg == "--validate") {
      validate_only = true;
    } else if (arg == "--workers" && has_value) {
      options.workers_override = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--log-level" && has_value) {
      weft::log::Level level;
      if (!weft::log::parseLevel(argv[++i], level)) {
        usage();
        return 2;
      }
      weft::log::setLevel(level);
    } else {
      usage();
      return 2;
    }
  }
  weft::server::Server server(std::move(options));
  return validate_only ? server.validate() : server.run();
}
