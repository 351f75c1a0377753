// A listener's TLS server context, made from its `tls` block and kept across config reloads while
// the block is unchanged (session tickets stay valid, so clients keep resuming). Main thread only.
#pragma once

#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/config/bootstrap.h"
#include "core/stats/stats.h"
#include "core/tls/server_context.h"

namespace weft::server {

// The listener's context: `previous` (the one the running config uses for this listener) when
// the block did not change, else a new one. Errors name the file and the reason.
Result<std::shared_ptr<tls::ServerContext>> listenerTls(
    const config::Listener& listener, const std::shared_ptr<tls::ServerContext>& previous,
    const config::ServerTls* previous_config, stats::Store& stats);

}  // namespace weft::server
