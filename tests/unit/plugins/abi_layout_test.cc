// The ABI's layout is a promise to every compiled plugin: within major 1, fields are only ever
// appended. These checks pin the offset of every field and the value of every enumerator, so a
// change that moves or renumbers anything fails here. Appending a field means adding a line (and
// updating the size) — nothing above it may change.
#include <boost/test/unit_test.hpp>
#include <cstddef>
#include <iterator>

#include "weft/filter_abi.h"

namespace {

struct Field {
  const char* name;
  size_t offset;
  size_t expected;
};

#define WEFT_FIELD(T, f, n) \
  Field { #T "." #f, offsetof(T, f), n }

}  // namespace

BOOST_AUTO_TEST_SUITE(abi_layout)

BOOST_AUTO_TEST_CASE(host_table_fields_never_move) {
  const Field fields[] = {
      WEFT_FIELD(weft_host_api, struct_size, 0),
      WEFT_FIELD(weft_host_api, log, 8),
      WEFT_FIELD(weft_host_api, define_counter, 16),
      WEFT_FIELD(weft_host_api, histogram_record, 64),
      WEFT_FIELD(weft_host_api, header_size, 72),
      WEFT_FIELD(weft_host_api, header_remove, 120),
      WEFT_FIELD(weft_host_api, body_length, 128),
      WEFT_FIELD(weft_host_api, body_drain, 160),
      WEFT_FIELD(weft_host_api, send_local_reply, 168),
      WEFT_FIELD(weft_host_api, continue_response, 184),
      WEFT_FIELD(weft_host_api, timer_start, 192),
      WEFT_FIELD(weft_host_api, timer_cancel, 200),
      WEFT_FIELD(weft_host_api, set_upstream_cluster, 208),
      WEFT_FIELD(weft_host_api, cluster_exists, 224),
      WEFT_FIELD(weft_host_api, stream_info_str, 232),
      WEFT_FIELD(weft_host_api, metadata_get, 256),
      WEFT_FIELD(weft_host_api, stream_worker, 264),
      WEFT_FIELD(weft_host_api, worker_index, 272),
  };
  for (const auto& f : fields) BOOST_TEST(f.offset == f.expected, f.name);
  BOOST_TEST(offsetof(weft_host_api, stream_reset) == 280u);              // 1.1
  BOOST_TEST(offsetof(weft_host_api, stream_add_response_flag) == 288u);  // 1.2
  BOOST_TEST(offsetof(weft_host_api, worker_count) == 296u);
  BOOST_TEST(offsetof(weft_host_api, http_call) == 304u);
  BOOST_TEST(offsetof(weft_host_api, http_call_cancel) == 312u);
  BOOST_TEST(offsetof(weft_host_api, set_upstream_timeout) == 320u);
  BOOST_TEST(offsetof(weft_host_api, worker_timer_start) == 328u);
  BOOST_TEST(offsetof(weft_host_api, worker_timer_cancel) == 336u);
  BOOST_TEST(offsetof(weft_host_api, set_retry_policy) == 344u);  // 1.3
  BOOST_TEST(offsetof(weft_host_api, add_request_mirror) == 352u);
  BOOST_TEST(offsetof(weft_host_api, route_metadata_get) == 360u);  // 1.4
  BOOST_TEST(offsetof(weft_host_api, stream_buffer_body) == 368u);  // 1.5
  BOOST_TEST(offsetof(weft_host_api, stream_fail) == 376u);
  BOOST_TEST(offsetof(weft_host_api, config_filter_name) == 384u);
  BOOST_TEST(offsetof(weft_host_api, route_metadata_json) == 392u);
  BOOST_TEST(sizeof(weft_host_api) == 400u);
}

BOOST_AUTO_TEST_CASE(retry_policy_fields_never_move) {  // 1.3
  const Field fields[] = {
      WEFT_FIELD(weft_retry_policy, struct_size, 0),
      WEFT_FIELD(weft_retry_policy, num_retries, 4),
      WEFT_FIELD(weft_retry_policy, retry_on, 8),
      WEFT_FIELD(weft_retry_policy, per_try_timeout_ms, 16),
      WEFT_FIELD(weft_retry_policy, base_interval_ms, 24),
      WEFT_FIELD(weft_retry_policy, max_interval_ms, 32),
      WEFT_FIELD(weft_retry_policy, retriable_status_codes, 40),
      WEFT_FIELD(weft_retry_policy, retriable_status_code_count, 48),
  };
  for (const auto& f : fields) BOOST_TEST(f.offset == f.expected, f.name);
  BOOST_TEST(sizeof(weft_retry_policy) == 56u);
}

BOOST_AUTO_TEST_CASE(module_table_fields_never_move) {
  const Field fields[] = {
      WEFT_FIELD(weft_filter_module, struct_size, 0),
      WEFT_FIELD(weft_filter_module, name, 8),
      WEFT_FIELD(weft_filter_module, version, 16),
      WEFT_FIELD(weft_filter_module, config_new, 24),
      WEFT_FIELD(weft_filter_module, config_destroy, 32),
      WEFT_FIELD(weft_filter_module, worker_start, 40),
      WEFT_FIELD(weft_filter_module, worker_stop, 48),
      WEFT_FIELD(weft_filter_module, stream_new, 56),
      WEFT_FIELD(weft_filter_module, stream_destroy, 64),
      WEFT_FIELD(weft_filter_module, on_request_headers, 72),
      WEFT_FIELD(weft_filter_module, on_request_body, 80),
      WEFT_FIELD(weft_filter_module, on_request_trailers, 88),
      WEFT_FIELD(weft_filter_module, on_response_headers, 96),
      WEFT_FIELD(weft_filter_module, on_response_body, 104),
      WEFT_FIELD(weft_filter_module, on_response_trailers, 112),
      WEFT_FIELD(weft_filter_module, on_stream_complete, 120),
      WEFT_FIELD(weft_filter_module, on_timer, 128),
      WEFT_FIELD(weft_filter_module, on_http_call_done, 136),  // 1.2
      WEFT_FIELD(weft_filter_module, on_worker_timer, 144),
  };
  for (const auto& f : fields) BOOST_TEST(f.offset == f.expected, f.name);
  BOOST_TEST(sizeof(weft_filter_module) == 152u);
}

BOOST_AUTO_TEST_CASE(enumerators_keep_their_values) {
  BOOST_TEST(WEFT_ABI_MAJOR == 1);
  BOOST_TEST(WEFT_CONTINUE == 0);
  BOOST_TEST(WEFT_STOP_ITERATION == 1);
  BOOST_TEST(WEFT_STOP_AND_BUFFER == 2);
  BOOST_TEST(WEFT_MAP_REQUEST_HEADERS == 0);
  BOOST_TEST(WEFT_MAP_RESPONSE_TRAILERS == 3);
  BOOST_TEST(WEFT_BODY_RESPONSE == 1);
  BOOST_TEST(WEFT_LOG_ERROR == 3);
  BOOST_TEST(WEFT_INFO_RESPONSE_FLAGS == 9);
  BOOST_TEST(WEFT_INFO_WORKER_INDEX == 6);
  BOOST_TEST(WEFT_ERR_LIMIT == -4);
  BOOST_TEST(WEFT_ERR_UNSUPPORTED == -5);
  const unsigned retry_on[] = {
      WEFT_RETRY_ON_5XX,
      WEFT_RETRY_ON_GATEWAY_ERROR,
      WEFT_RETRY_ON_RESET,
      WEFT_RETRY_ON_RESET_BEFORE_REQUEST,
      WEFT_RETRY_ON_CONNECT_FAILURE,
      WEFT_RETRY_ON_RETRIABLE_4XX,
      WEFT_RETRY_ON_REFUSED_STREAM,
      WEFT_RETRY_ON_RETRIABLE_STATUS_CODES,
      WEFT_RETRY_ON_CANCELLED,
      WEFT_RETRY_ON_DEADLINE_EXCEEDED,
      WEFT_RETRY_ON_INTERNAL,
      WEFT_RETRY_ON_RESOURCE_EXHAUSTED,
      WEFT_RETRY_ON_UNAVAILABLE,
  };
  for (unsigned bit = 0; bit < std::size(retry_on); ++bit) {
    BOOST_TEST(retry_on[bit] == 1u << bit, "WEFT_RETRY_ON_* bit " << bit);
  }
}

BOOST_AUTO_TEST_SUITE_END()
