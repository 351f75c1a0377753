// proxy.*: what scripts get under OpenResty's names where Envoy has none. Installed once per
// state as the global `proxy` (plus print()).
//
//   name                              phases                       what
//   proxy.ctx                         request, response, log       a table per request, shared by
//                                                                  its phases; assignable
//   proxy.shared.<dict>               anywhere (top level too)     see shared_dict_api.h
//   proxy.sleep(seconds)              request, response, timer     yields; the stream is held
//                                                                  meanwhile (a stream timer); a
//                                                                  timer callback waits on a
//                                                                  worker timer
//   proxy.timer.at(delay, f, ...)     anywhere                     runs f(premature, ...) once
//                                                                  after `delay` seconds on this
//                                                                  worker (lua_timers.h); true,
//                                                                  or nil and why ("too many
//                                                                  pending timers"; in the
//                                                                  config check: no worker)
//   proxy.timer.every(interval, f, ...) anywhere                   the same, every `interval`
//                                                                  seconds until the worker stops
//   proxy.timer.pending_count()       anywhere                     callbacks waiting (this worker,
//   proxy.timer.running_count()                                    this config) / running now
//   proxy.worker.id()                 anywhere                     this worker's index; nil
//                                                                  while a config is checked
//   proxy.worker.count()              anywhere                     the number of workers (ABI
//                                                                  1.2; raises on older hosts);
//                                                                  nil while a config is checked
//   proxy.log(level, ...)             anywhere                     tostring()s and joins the
//                                                                  arguments; level is one of
//                                                                  proxy.STDERR EMERG ALERT CRIT
//                                                                  ERR WARN NOTICE INFO DEBUG
//   proxy.var.<name>                  request, response, log       see proxy_var.h
//   print(...)                        anywhere                     proxy.log(proxy.INFO, ...)
// Outside its phases a function raises "<name> is not allowed in <phase>".
#pragma once

namespace weft::lua {

class LuaVm;

void installProxyApi(LuaVm& vm);

}  // namespace weft::lua
