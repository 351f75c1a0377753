// LuaConfig and its JSON block: see lua_config.h.
#include "plugins/lua/lua_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "plugins/lua/lua_vm.h"

namespace weft::lua {
namespace {

constexpr size_t kMinMemoryLimit = size_t{1} << 20;  // a state with its libraries needs ~200 KiB
constexpr size_t kMinDictBytes = 4096;

Status fail(const std::string& message) { return Status::error("lua: " + message); }

// A positive integer field, or an error naming it.
Result<uint64_t> positive(const YAML::Node& node, const char* field, uint64_t minimum = 1,
                          uint64_t maximum = UINT64_MAX) {
  uint64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<uint64_t>::decode(node, value) || value < minimum ||
      value > maximum) {
    return fail(std::string(field) + " must be an integer from " + std::to_string(minimum) +
                " to " + std::to_string(maximum));
  }
  return value;
}

bool isIdentifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read path '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status readDicts(const YAML::Node& node, LuaOptions& out) {
  if (!node.IsMap()) return fail("shared_dicts must be a map of name: size_bytes");
  for (const auto& entry : node) {
    const std::string name = entry.first.Scalar();
    if (!isIdentifier(name)) {
      return fail("shared_dicts: '" + name + "' is not a name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    std::string field = "shared_dicts." + name;
    auto size = positive(entry.second, field.c_str(), kMinDictBytes);
    if (!size) return size.status();
    out.shared_dicts.emplace_back(name, static_cast<size_t>(*size));
  }
  return Status::ok();
}

// The integer options, with their bounds.
struct NumberField {
  const char* name;
  uint64_t minimum;
  uint64_t maximum;
  size_t LuaOptions::*member;
};
const NumberField kNumberFields[] = {
    {"instruction_budget", 1, INT32_MAX, &LuaOptions::instruction_budget},  // LuaJIT's hook count
    {"memory_limit_bytes", kMinMemoryLimit, UINT64_MAX, &LuaOptions::memory_limit_bytes},
    {"body_limit", 1, UINT64_MAX, &LuaOptions::body_limit},
    {"max_pending_timers", 1, 1 << 20, &LuaOptions::max_pending_timers},
};

Status readField(const std::string& key, const YAML::Node& value, LuaOptions& out) {
  if (key == "source" || key == "path") {
    if (!value.IsScalar()) return fail(key + " must be a string");
    if (key == "source") {
      out.source = value.Scalar();
      out.chunk_name = "=inline";
      out.script_name = "inline";
      return Status::ok();
    }
    auto text = readFile(value.Scalar());
    if (!text) return text.status();
    out.source = std::move(*text);
    out.chunk_name = "@" + value.Scalar();
    out.script_name = value.Scalar();
    return Status::ok();
  }
  for (const NumberField& field : kNumberFields) {
    if (key != field.name) continue;
    auto n = positive(value, field.name, field.minimum, field.maximum);
    if (n) out.*field.member = static_cast<size_t>(*n);
    return n ? Status::ok() : n.status();
  }
  if (key == "shared_dicts") return readDicts(value, out);
  return fail("unknown field '" + key +
              "' (supported: source, path, instruction_budget, memory_limit_bytes, body_limit, "
              "max_pending_timers, shared_dicts)");
}

}  // namespace

Result<LuaOptions> parseLuaOptions(std::string_view json) {
  YAML::Node parsed;
  try {
    parsed = YAML::Load(std::string(json));
  } catch (const YAML::Exception& e) {
    return fail("invalid JSON: " + e.msg);
  }
  const YAML::Node& root = parsed;  // const: lookups must not add keys
  if (!root.IsMap()) return fail("config must be an object with \"source\" or \"path\"");
  LuaOptions out;
  const bool has_source = static_cast<bool>(root["source"]);
  const bool has_path = static_cast<bool>(root["path"]);
  if (has_source == has_path) return fail("give exactly one of \"source\" and \"path\"");
  for (const auto& entry : root) {
    Status read = readField(entry.first.Scalar(), entry.second, out);
    if (!read) return read;
  }
  return out;
}

LuaConfig::LuaConfig(const weft_host_api* host, weft_config_host* config_host, LuaOptions options,
                     std::shared_ptr<HttpCallClient> calls)
    : host_(host),
      config_host_(config_host),
      filter_name_(host_.filterName(config_host)),
      options_(std::move(options)),
      http_calls_(std::move(calls)) {}

Result<std::unique_ptr<LuaConfig>> LuaConfig::create(const weft_host_api* host,
                                                     weft_config_host* config_host,
                                                     std::string_view json,
                                                     std::shared_ptr<HttpCallClient> http_calls) {
  auto options = parseLuaOptions(json);
  if (!options) return options.status();
  if (http_calls == nullptr) http_calls = hostHttpCallClient(host);
  std::unique_ptr<LuaConfig> config(
      new LuaConfig(host, config_host, std::move(*options), std::move(http_calls)));
  for (const auto& [name, capacity] : config->options_.shared_dicts) {
    config->dicts_.push_back(SharedDictRegistry::instance().acquire(name, capacity));
  }
  config->errors_ = Counter::define(host, config_host, "lua.errors");
  config->budget_exceeded_ = Counter::define(host, config_host, "lua.budget_exceeded");
  config->memory_errors_ = Counter::define(host, config_host, "lua.memory_errors");

  auto check = LuaVm::create(*config, std::nullopt);
  if (!check) return fail(check.status().message());
  return config;
}

void LuaConfig::count(Failure failure) const {
  switch (failure) {
    case Failure::kError:
      errors_.add();
      return;
    case Failure::kBudget:
      budget_exceeded_.add();
      return;
    case Failure::kMemory:
      memory_errors_.add();
      return;
  }
}

}  // namespace weft::lua
