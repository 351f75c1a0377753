// proxy.shared.<name>: see shared_dict_api.h.
#include "plugins/lua/shared_dict_api.h"

#include <optional>
#include <string>
#include <vector>

#include "plugins/lua/lua_config.h"
#include "plugins/lua/objects.h"

namespace weft::lua {
namespace {

constexpr char kDictMeta[] = "weft.lua.shared_dict";
constexpr lua_Integer kDefaultMaxKeys = 1024;

struct DictObject {
  SharedDict* dict;  // owned by the config, which outlives every state
};

SharedDict& checkDict(lua_State* L) {
  return *static_cast<DictObject*>(luaL_checkudata(L, 1, kDictMeta))->dict;
}

std::string_view checkKey(lua_State* L) {
  const std::string_view key = checkView(L, 2);
  luaL_argcheck(L, !key.empty() && key.size() <= SharedDict::kMaxKeyBytes, 2,
                "keys must be 1 to 65535 bytes");
  return key;
}

double checkTtl(lua_State* L, int index) {
  const lua_Number ttl = luaL_optnumber(L, index, 0);
  luaL_argcheck(L, ttl >= 0, index, "a TTL must not be negative");
  return ttl;
}

void pushValue(lua_State* L, const DictValue& value) {
  if (const bool* flag = std::get_if<bool>(&value)) {
    lua_pushboolean(L, *flag);
  } else if (const double* number = std::get_if<double>(&value)) {
    lua_pushnumber(L, *number);
  } else {
    pushView(L, std::get<std::string>(value));
  }
}

const char* errorText(SharedDict::Outcome outcome) {
  switch (outcome) {
    case SharedDict::Outcome::kExists:
      return "exists";
    case SharedDict::Outcome::kNotFound:
      return "not found";
    case SharedDict::Outcome::kNoMemory:
      return "no memory";
    case SharedDict::Outcome::kNotANumber:
      return "not a number";
    case SharedDict::Outcome::kOk:
      break;
  }
  return nullptr;
}

int dictGet(lua_State* L) {
  SharedDict& dict = checkDict(L);
  const std::optional<DictValue> value = dict.get(checkKey(L));
  if (value) {
    pushValue(L, *value);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// The value at index 3 (string, number or boolean; checked by the caller) written as `mode`.
int writeValue(lua_State* L, SharedDict& dict, std::string_view key, SharedDict::Mode mode,
               double ttl) {
  DictValue value;
  switch (lua_type(L, 3)) {
    case LUA_TBOOLEAN:
      value = lua_toboolean(L, 3) != 0;
      break;
    case LUA_TNUMBER:
      value = static_cast<double>(lua_tonumber(L, 3));
      break;
    default:
      value = std::string(viewAt(L, 3));
      break;
  }
  const SharedDict::WriteResult result = dict.set(key, std::move(value), ttl, mode);
  const bool safe = mode == SharedDict::Mode::kSafeSet || mode == SharedDict::Mode::kSafeAdd;
  if (result.outcome == SharedDict::Outcome::kOk) {
    lua_pushboolean(L, 1);
    if (safe) return 1;
    lua_pushnil(L);
    lua_pushboolean(L, result.forcible);
    return 3;
  }
  if (safe) {
    lua_pushnil(L);
  } else {
    lua_pushboolean(L, 0);
  }
  lua_pushstring(L, errorText(result.outcome));
  if (safe) return 2;
  lua_pushboolean(L, result.forcible);
  return 3;
}

int dictWrite(lua_State* L, SharedDict::Mode mode) {
  SharedDict& dict = checkDict(L);
  const std::string_view key = checkKey(L);
  const int type = lua_type(L, 3);
  const bool plain_set = mode == SharedDict::Mode::kSet || mode == SharedDict::Mode::kSafeSet;
  if (type == LUA_TNIL && plain_set) {
    dict.remove(key);
    lua_pushboolean(L, 1);
    return 1;
  }
  luaL_argcheck(L, type == LUA_TSTRING || type == LUA_TNUMBER || type == LUA_TBOOLEAN, 3,
                "values must be strings, numbers or booleans");
  return writeValue(L, dict, key, mode, checkTtl(L, 4));
}

int dictSet(lua_State* L) { return dictWrite(L, SharedDict::Mode::kSet); }
int dictSafeSet(lua_State* L) { return dictWrite(L, SharedDict::Mode::kSafeSet); }
int dictAdd(lua_State* L) { return dictWrite(L, SharedDict::Mode::kAdd); }
int dictSafeAdd(lua_State* L) { return dictWrite(L, SharedDict::Mode::kSafeAdd); }
int dictReplace(lua_State* L) { return dictWrite(L, SharedDict::Mode::kReplace); }

int dictIncr(lua_State* L) {
  SharedDict& dict = checkDict(L);
  const std::string_view key = checkKey(L);
  const double delta = luaL_checknumber(L, 3);
  std::optional<double> init;
  if (!lua_isnoneornil(L, 4)) init = luaL_checknumber(L, 4);
  const double init_ttl = checkTtl(L, 5);
  const SharedDict::IncrResult result = dict.incr(key, delta, init, init_ttl);
  if (result.outcome == SharedDict::Outcome::kOk) {
    lua_pushnumber(L, result.value);
    lua_pushnil(L);
    lua_pushboolean(L, result.forcible);
    return 3;
  }
  lua_pushnil(L);
  lua_pushstring(L, errorText(result.outcome));
  return 2;
}

int dictDelete(lua_State* L) {
  SharedDict& dict = checkDict(L);
  dict.remove(checkKey(L));
  return 0;
}

int pushKeys(lua_State* L, SharedDict& dict, size_t max) {
  const std::vector<std::string> keys = dict.keys(max);
  lua_createtable(L, static_cast<int>(keys.size()), 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    pushView(L, keys[i]);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

int dictGetKeys(lua_State* L) {
  SharedDict& dict = checkDict(L);
  const lua_Integer max = luaL_optinteger(L, 2, kDefaultMaxKeys);
  luaL_argcheck(L, max >= 0, 2, "max must not be negative");
  return pushKeys(L, dict, static_cast<size_t>(max));
}

constexpr luaL_Reg kDictMethods[] = {
    {"get", dictGet},   {"set", dictSet},          {"safe_set", dictSafeSet},
    {"add", dictAdd},   {"safe_add", dictSafeAdd}, {"replace", dictReplace},
    {"incr", dictIncr}, {"delete", dictDelete},    {"get_keys", dictGetKeys},
    {nullptr, nullptr},
};

}  // namespace

void pushSharedDicts(LuaVm& vm) {
  defineClass(vm, kDictMeta, kDictMethods);
  lua_State* L = vm.state();
  const auto& dicts = vm.config().dicts();
  lua_createtable(L, 0, static_cast<int>(dicts.size()));
  for (const SharedDictPtr& dict : dicts) {
    newObject(L, kDictMeta, DictObject{dict.get()});
    lua_setfield(L, -2, dict->name().c_str());
  }
}

}  // namespace weft::lua
