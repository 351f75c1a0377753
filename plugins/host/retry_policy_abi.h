// How the host reads a module's weft_retry_policy (set_retry_policy, ABI 1.3) into the core's
// http::RetryPolicy: the struct_size convention (a smaller, older struct reads as zeros past its
// end; fields a newer one adds are ignored), the checks the ABI documents, and the defaults for
// zero intervals. Everything is copied; nothing of the module's memory is kept.
//
// Pure; any thread.
#pragma once

#include <optional>

#include "core/http/retry_state.h"
#include "weft/filter_abi.h"

namespace weft::plugins {

// The policy, or nullopt for what set_retry_policy answers WEFT_ERR_INVALID_ARGUMENT: a NULL
// policy, a struct_size short of retry_on, retry_on bits this host does not know, NULL status
// codes with a non-zero count, a status code outside 100..599, or a max_interval_ms (non-zero)
// below the base interval.
std::optional<http::RetryPolicy> retryPolicyFromAbi(const weft_retry_policy* policy);

}  // namespace weft::plugins
