// retryPolicyFromAbi (plugins/host/retry_policy_abi.h): a module's weft_retry_policy becomes the
// core's http::RetryPolicy — copied whole, defaults for zero intervals, the struct_size convention
// both ways, and every refusal set_retry_policy answers with WEFT_ERR_INVALID_ARGUMENT.
#include "plugins/host/retry_policy_abi.h"

#include <boost/test/unit_test.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "plugins/host/filter_instance.h"

namespace weft::plugins {
namespace {

const uint32_t kCodes[] = {503, 429};

weft_retry_policy fullPolicy() {
  weft_retry_policy policy{};
  policy.struct_size = sizeof(weft_retry_policy);
  policy.num_retries = 3;
  policy.retry_on = WEFT_RETRY_ON_5XX | WEFT_RETRY_ON_RETRIABLE_STATUS_CODES;
  policy.per_try_timeout_ms = 500;
  policy.base_interval_ms = 10;
  policy.max_interval_ms = 80;
  policy.retriable_status_codes = kCodes;
  policy.retriable_status_code_count = 2;
  return policy;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(retry_policy_abi)

BOOST_AUTO_TEST_CASE(every_field_is_copied) {
  const weft_retry_policy given = fullPolicy();
  const std::optional<http::RetryPolicy> policy = retryPolicyFromAbi(&given);
  BOOST_REQUIRE(policy.has_value());
  BOOST_TEST(policy->num_retries == 3u);
  BOOST_TEST(policy->retry_on == (WEFT_RETRY_ON_5XX | WEFT_RETRY_ON_RETRIABLE_STATUS_CODES));
  BOOST_TEST(policy->per_try_timeout_ms == 500u);
  BOOST_TEST(policy->base_interval_ms == 10u);
  BOOST_TEST(policy->max_interval_ms == 80u);
  BOOST_TEST((policy->retriable_status_codes == std::vector<uint32_t>{503, 429}));
}

BOOST_AUTO_TEST_CASE(zero_intervals_take_envoys_defaults) {
  weft_retry_policy given = fullPolicy();
  given.base_interval_ms = 0;
  given.max_interval_ms = 0;
  BOOST_TEST(retryPolicyFromAbi(&given)->base_interval_ms == 25u);
  BOOST_TEST(retryPolicyFromAbi(&given)->max_interval_ms == 250u);
  given.base_interval_ms = 40;  // max defaults to ten times the base given
  BOOST_TEST(retryPolicyFromAbi(&given)->max_interval_ms == 400u);
  given.base_interval_ms = 0;  // a max below the default base is refused
  given.max_interval_ms = 10;
  BOOST_TEST(!retryPolicyFromAbi(&given).has_value());
}

BOOST_AUTO_TEST_CASE(a_smaller_struct_reads_zeros_past_its_end) {
  weft_retry_policy given = fullPolicy();
  given.struct_size = offsetof(weft_retry_policy, retriable_status_codes);
  std::optional<http::RetryPolicy> policy = retryPolicyFromAbi(&given);
  BOOST_REQUIRE(policy.has_value());
  BOOST_TEST(policy->max_interval_ms == 80u);
  BOOST_TEST(policy->retriable_status_codes.empty());  // the fields past struct_size are unread

  given.struct_size = offsetof(weft_retry_policy, per_try_timeout_ms);  // the first three only
  policy = retryPolicyFromAbi(&given);
  BOOST_REQUIRE(policy.has_value());
  BOOST_TEST(policy->num_retries == 3u);
  BOOST_TEST(policy->per_try_timeout_ms == 0u);
  BOOST_TEST(policy->base_interval_ms == 25u);
  BOOST_TEST(policy->max_interval_ms == 250u);

  given.struct_size = offsetof(weft_retry_policy, retry_on);  // short of retry_on
  BOOST_TEST(!retryPolicyFromAbi(&given).has_value());
}

BOOST_AUTO_TEST_CASE(fields_of_a_newer_struct_are_ignored) {
  struct Newer {
    weft_retry_policy known;
    uint64_t added_later;
  } newer{fullPolicy(), 7};
  newer.known.struct_size = sizeof(Newer);
  const std::optional<http::RetryPolicy> policy = retryPolicyFromAbi(&newer.known);
  BOOST_REQUIRE(policy.has_value());
  BOOST_TEST(policy->num_retries == 3u);
}

BOOST_AUTO_TEST_CASE(malformed_policies_are_refused) {
  BOOST_TEST(!retryPolicyFromAbi(nullptr).has_value());

  weft_retry_policy given = fullPolicy();
  given.retry_on |= WEFT_RETRY_ON_UNAVAILABLE << 1;  // a bit from a later minor
  BOOST_TEST(!retryPolicyFromAbi(&given).has_value());

  given = fullPolicy();
  given.retriable_status_codes = nullptr;
  BOOST_TEST(!retryPolicyFromAbi(&given).has_value());
  given.retriable_status_code_count = 0;  // NULL with no codes is fine
  BOOST_TEST(retryPolicyFromAbi(&given).has_value());

  for (uint32_t bad : {0u, 99u, 600u}) {
    const uint32_t codes[] = {503, bad};
    given = fullPolicy();
    given.retriable_status_codes = codes;
    BOOST_TEST(!retryPolicyFromAbi(&given).has_value(), bad);
  }

  given = fullPolicy();
  given.max_interval_ms = 9;  // below base_interval_ms 10
  BOOST_TEST(!retryPolicyFromAbi(&given).has_value());
}

BOOST_AUTO_TEST_CASE(the_host_table_checks_before_the_stream_sees_anything) {
  const weft_host_api* api = hostApi();
  const weft_retry_policy given = fullPolicy();
  BOOST_TEST(api->set_retry_policy(nullptr, &given) == WEFT_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api->add_request_mirror(nullptr, weft_str{"shadow", 6}) == WEFT_ERR_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::plugins
