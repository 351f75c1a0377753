// pushJson: see json_to_lua.h. JSON is YAML, so yaml-cpp (already the filter's config parser)
// reads it; a quoted scalar carries the tag "!", which tells the string "3" from the number 3.
#include "plugins/lua/json_to_lua.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <string>

namespace weft::lua {
namespace {

constexpr int kMaxDepth = 100;  // the host's JSON nests at most 64 levels

void pushScalar(lua_State* L, const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") {
    lua_pushlstring(L, text.data(), text.size());
  } else if (text == "true" || text == "false") {
    lua_pushboolean(L, text == "true");
  } else {
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) {
      lua_pushnumber(L, number);
    } else {
      lua_pushlstring(L, text.data(), text.size());
    }
  }
}

bool pushNode(lua_State* L, const YAML::Node& node, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(L, 3)) return false;
  switch (node.Type()) {
    case YAML::NodeType::Map:
      lua_createtable(L, 0, static_cast<int>(node.size()));
      for (const auto& member : node) {
        if (member.second.IsNull()) continue;
        const std::string& key = member.first.Scalar();
        lua_pushlstring(L, key.data(), key.size());
        if (!pushNode(L, member.second, depth + 1)) return false;
        lua_rawset(L, -3);
      }
      return true;
    case YAML::NodeType::Sequence: {
      lua_createtable(L, static_cast<int>(node.size()), 0);
      int index = 0;
      for (const auto& item : node) {
        ++index;
        if (item.IsNull()) continue;  // a hole, as nil leaves in a Lua sequence
        if (!pushNode(L, item, depth + 1)) return false;
        lua_rawseti(L, -2, index);
      }
      return true;
    }
    case YAML::NodeType::Scalar:
      pushScalar(L, node);
      return true;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      lua_pushnil(L);
      return true;
  }
  return false;
}

}  // namespace

bool pushJson(lua_State* L, std::string_view json) {
  const int top = lua_gettop(L);
  try {
    if (pushNode(L, YAML::Load(std::string(json)), 0)) return true;
  } catch (const YAML::Exception&) {
  }
  lua_settop(L, top);
  return false;
}

}  // namespace weft::lua
