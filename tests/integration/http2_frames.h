// Raw HTTP/2 for the integration tests, below what a conforming library will produce:
//   - frames and HPACK header blocks built byte by byte (RFC 9113 §4.1, RFC 7541), so a test can
//     send malformed frames, CONTINUATION floods and HPACK bombs;
//   - FrameScanner, which splits the bytes a server sends into frames and decodes their header
//     blocks with its own HPACK decoder, so a test sees exactly what came over the wire (RST_STREAM
//     codes, GOAWAY, the :status of a stream the client library never knew about).
// Frame types, flags, settings and error codes are nghttp2's constants (NGHTTP2_HEADERS, ...).
//
// Plain values and a single-threaded scanner; no I/O here (Http2Client does that).
#pragma once

#include <nghttp2/nghttp2.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::itest::h2 {

inline constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// Header fields in order, names lower case.
using Fields = std::vector<std::pair<std::string, std::string>>;

// ---- frames -------------------------------------------------------------------------------------
// One frame: the 9-byte header (length taken from `payload`) and the payload as given, whether or
// not it is valid for `type`.
std::string frame(uint8_t type, uint8_t flags, int32_t stream_id, std::string_view payload);
std::string headersFrame(int32_t stream_id, std::string_view block, uint8_t flags);
std::string continuationFrame(int32_t stream_id, std::string_view block, bool end_headers);
std::string dataFrame(int32_t stream_id, std::string_view data, bool end_stream);
std::string settingsFrame(const std::vector<std::pair<uint16_t, uint32_t>>& entries);
std::string pingFrame();

// ---- HPACK header blocks (no Huffman coding)
// ----------------------------------------------------- The fields of a request: :method, :scheme
// http, :path, :authority, then `extra`.
Fields requestFields(std::string_view method, std::string_view path, const Fields& extra = {});
// Every field as a literal without indexing with a literal name (RFC 7541 §6.2.2): it changes no
// HPACK table.
std::string literalBlock(const Fields& fields);
// A reference to entry `index` of the static or dynamic table (§6.1): one field, one byte below
// index 127.
std::string indexedField(uint32_t index);
// An HPACK bomb: `fields` as literals, then one field "x-bomb" whose `value_bytes`-byte value is
// added to the decoder's dynamic table (literal with incremental indexing, §6.2.1), then
// `references` one-byte references to that entry (indexed field, §6.1, index 62). It decodes to
// about `references` * `value_bytes` bytes. The entry must fit the peer's table (4096 bytes by
// default: value_bytes <= 4058); later blocks on the connection may refer to it as index 62.
std::string hpackBombBlock(const Fields& fields, size_t value_bytes, size_t references);
// A block cut into frames of at most `max_fragment` bytes: HEADERS (END_STREAM if `end_stream`),
// then CONTINUATION frames, END_HEADERS on the last one.
std::string headerBlockFrames(int32_t stream_id, std::string_view block, bool end_stream,
                              size_t max_fragment = 16384);

// ---- what the server sent -----------------------------------------------------------------------
// One stream as seen on the wire.
struct StreamResult {
  int status = 0;    // :status of the final response head (1xx heads are skipped); 0: none
  Fields headers;    // that head's fields, pseudo-headers included
  Fields trailers;   // a header block after the head
  std::string body;  // DATA payloads (padding removed) unless the scanner discards bodies
  uint64_t body_bytes = 0;
  bool ended = false;             // END_STREAM received
  std::optional<uint32_t> reset;  // the error code of a RST_STREAM received
  bool done() const { return ended || reset.has_value(); }
};

struct GoAway {
  int32_t last_stream_id = 0;
  uint32_t error_code = 0;
  std::string debug_data;
};

class FrameScanner {
 public:
  explicit FrameScanner(bool keep_bodies);
  ~FrameScanner();
  FrameScanner(const FrameScanner&) = delete;
  FrameScanner& operator=(const FrameScanner&) = delete;

  // Takes the next received bytes (frames may be split anywhere). False once they stop making
  // sense as HTTP/2 frames (error() says why); nothing more is scanned then.
  bool feed(std::string_view bytes);

  const StreamResult* stream(int32_t id) const;
  const std::vector<GoAway>& goaways() const { return goaways_; }
  // How many frames of `type` arrived.
  size_t count(uint8_t type) const { return counts_[type]; }
  // The last value of a setting the server sent in a SETTINGS frame.
  std::optional<uint32_t> setting(uint16_t id) const;
  const std::string& error() const { return error_; }

 private:
  void onFrame(uint8_t type, uint8_t flags, int32_t stream_id, std::string_view payload);
  void onHeaderFragment(int32_t stream_id, std::string_view fragment, bool end_headers);
  void onHeaderBlock(int32_t stream_id, std::string_view block);
  void fail(std::string why);

  bool keep_bodies_;
  nghttp2_hd_inflater* inflater_ = nullptr;
  std::string pending_;  // received bytes not yet a whole frame
  std::map<int32_t, StreamResult> streams_;
  std::vector<GoAway> goaways_;
  std::array<size_t, 256> counts_{};
  std::map<uint16_t, uint32_t> settings_;
  int32_t block_stream_ = 0;  // a header block is being received on this stream (0: none)
  bool block_end_stream_ = false;
  std::string block_;
  std::string error_;
};

}  // namespace weft::itest::h2
