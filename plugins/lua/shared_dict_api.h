// proxy.shared.<name>: the Lua face of SharedDict (shared_dict.h), with OpenResty's methods and
// return values. Keys are non-empty strings (at most 65535 bytes); values strings, numbers or
// booleans; exptime / init_ttl in seconds (0: never expires).
//
//   dict:get(key)                          value, or nil
//   dict:set(key, value, exptime?)         true, nil, forcible | false, "no memory", forcible
//                                          (value nil deletes); evicts least recently used
//                                          entries when full (forcible = live ones went)
//   dict:safe_set(key, value, exptime?)    true | nil, "no memory" (never evicts a live entry)
//   dict:add(key, value, exptime?)         like set, but false, "exists" if the key is present
//   dict:safe_add(key, value, exptime?)    like safe_set, with "exists"
//   dict:replace(key, value, exptime?)     like set, but false, "not found" if it is absent
//   dict:incr(key, delta, init?, init_ttl?) new value, nil, forcible | nil, "not found" |
//                                          nil, "not a number" | nil, "no memory"
//   dict:delete(key)
//   dict:get_keys(max?)                    up to max keys (default 1024, 0: all)
// Internal to plugins/lua.
#pragma once

namespace weft::lua {

class LuaVm;

// Pushes a table {name = dict object} of the VM's config's dictionaries.
void pushSharedDicts(LuaVm& vm);

}  // namespace weft::lua
