// Raw HTTP/2 frames, HPACK blocks and the frame scanner: see http2_frames.h.
#include "tests/integration/http2_frames.h"

#include <algorithm>
#include <cstdlib>

namespace weft::itest::h2 {
namespace {

constexpr size_t kFrameHeaderBytes = 9;
// RFC 7541 Appendix A: the static table has 61 entries; the first dynamic entry is index 62.
constexpr uint32_t kFirstDynamicIndex = 62;

void appendU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint32_t readU32(std::string_view bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<uint8_t>(bytes[i]);
  return value;
}

// RFC 7541 §5.1: an integer with an N-bit prefix; `first` carries the representation's flag bits.
void appendInteger(std::string& out, uint8_t first, int prefix_bits, uint64_t value) {
  const uint64_t max_prefix = (1u << prefix_bits) - 1;
  if (value < max_prefix) {
    out.push_back(static_cast<char>(first | value));
    return;
  }
  out.push_back(static_cast<char>(first | max_prefix));
  value -= max_prefix;
  while (value >= 128) {
    out.push_back(static_cast<char>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// RFC 7541 §5.2: a string literal without Huffman coding.
void appendString(std::string& out, std::string_view text) {
  appendInteger(out, 0x00, 7, text.size());
  out.append(text);
}

// A literal field with a literal name: 0x00 without indexing (§6.2.2), 0x40 with incremental
// indexing (§6.2.1).
void appendLiteral(std::string& out, uint8_t representation, std::string_view name,
                   std::string_view value) {
  out.push_back(static_cast<char>(representation));
  appendString(out, name);
  appendString(out, value);
}

// The payload of a HEADERS or DATA frame without its padding (and HEADERS' priority fields);
// nullopt if the frame is too short for what its flags announce.
std::optional<std::string_view> unpadded(std::string_view payload, uint8_t flags,
                                         size_t priority_bytes) {
  size_t padding = 0;
  if (flags & NGHTTP2_FLAG_PADDED) {
    if (payload.empty()) return std::nullopt;
    padding = static_cast<uint8_t>(payload[0]);
    payload.remove_prefix(1);
  }
  if (payload.size() < priority_bytes + padding) return std::nullopt;
  payload.remove_prefix(priority_bytes);
  payload.remove_suffix(padding);
  return payload;
}

}  // namespace

// ---- frames -------------------------------------------------------------------------------------

std::string frame(uint8_t type, uint8_t flags, int32_t stream_id, std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  const auto length = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>(length >> 16));
  out.push_back(static_cast<char>(length >> 8));
  out.push_back(static_cast<char>(length));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  appendU32(out, static_cast<uint32_t>(stream_id) & 0x7fffffffu);
  out.append(payload);
  return out;
}

std::string headersFrame(int32_t stream_id, std::string_view block, uint8_t flags) {
  return frame(NGHTTP2_HEADERS, flags, stream_id, block);
}

std::string continuationFrame(int32_t stream_id, std::string_view block, bool end_headers) {
  return frame(NGHTTP2_CONTINUATION, end_headers ? NGHTTP2_FLAG_END_HEADERS : 0, stream_id, block);
}

std::string dataFrame(int32_t stream_id, std::string_view data, bool end_stream) {
  return frame(NGHTTP2_DATA, end_stream ? NGHTTP2_FLAG_END_STREAM : 0, stream_id, data);
}

std::string settingsFrame(const std::vector<std::pair<uint16_t, uint32_t>>& entries) {
  std::string payload;
  for (const auto& [id, value] : entries) {
    payload.push_back(static_cast<char>(id >> 8));
    payload.push_back(static_cast<char>(id));
    appendU32(payload, value);
  }
  return frame(NGHTTP2_SETTINGS, 0, 0, payload);
}

std::string pingFrame() { return frame(NGHTTP2_PING, 0, 0, "weftping"); }

// ---- HPACK --------------------------------------------------------------------------------------

Fields requestFields(std::string_view method, std::string_view path, const Fields& extra) {
  Fields fields = {{":method", std::string(method)},
                   {":scheme", "http"},
                   {":path", std::string(path)},
                   {":authority", "localhost"}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

std::string literalBlock(const Fields& fields) {
  std::string block;
  for (const auto& [name, value] : fields) appendLiteral(block, 0x00, name, value);
  return block;
}

std::string indexedField(uint32_t index) {
  std::string block;
  appendInteger(block, 0x80, 7, index);
  return block;
}

std::string hpackBombBlock(const Fields& fields, size_t value_bytes, size_t references) {
  std::string block = literalBlock(fields);
  appendLiteral(block, 0x40, "x-bomb", std::string(value_bytes, 'b'));
  for (size_t i = 0; i < references; ++i) block += indexedField(kFirstDynamicIndex);
  return block;
}

std::string headerBlockFrames(int32_t stream_id, std::string_view block, bool end_stream,
                              size_t max_fragment) {
  std::string_view first = block.substr(0, max_fragment);
  std::string_view rest = block.substr(first.size());
  uint8_t flags = end_stream ? NGHTTP2_FLAG_END_STREAM : 0;
  if (rest.empty()) flags |= NGHTTP2_FLAG_END_HEADERS;
  std::string out = headersFrame(stream_id, first, flags);
  while (!rest.empty()) {
    std::string_view fragment = rest.substr(0, max_fragment);
    rest.remove_prefix(fragment.size());
    out += continuationFrame(stream_id, fragment, rest.empty());
  }
  return out;
}

// ---- the scanner --------------------------------------------------------------------------------

FrameScanner::FrameScanner(bool keep_bodies) : keep_bodies_(keep_bodies) {
  nghttp2_hd_inflate_new(&inflater_);
}

FrameScanner::~FrameScanner() { nghttp2_hd_inflate_del(inflater_); }

const StreamResult* FrameScanner::stream(int32_t id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> FrameScanner::setting(uint16_t id) const {
  auto it = settings_.find(id);
  if (it == settings_.end()) return std::nullopt;
  return it->second;
}

void FrameScanner::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

bool FrameScanner::feed(std::string_view bytes) {
  if (!error_.empty()) return false;
  pending_.append(bytes);
  std::string_view rest = pending_;
  while (rest.size() >= kFrameHeaderBytes && error_.empty()) {
    const auto* header = reinterpret_cast<const uint8_t*>(rest.data());
    size_t length = size_t{header[0]} << 16 | size_t{header[1]} << 8 | header[2];
    if (rest.size() < kFrameHeaderBytes + length) break;
    auto stream_id = static_cast<int32_t>(readU32(rest.substr(5)) & 0x7fffffffu);
    onFrame(header[3], header[4], stream_id, rest.substr(kFrameHeaderBytes, length));
    rest.remove_prefix(kFrameHeaderBytes + length);
  }
  pending_.erase(0, pending_.size() - rest.size());
  return error_.empty();
}

void FrameScanner::onFrame(uint8_t type, uint8_t flags, int32_t stream_id,
                           std::string_view payload) {
  ++counts_[type];
  if (block_stream_ != 0 && type != NGHTTP2_CONTINUATION) {
    fail("a frame of type " + std::to_string(type) + " interrupted a header block");
    return;
  }
  switch (type) {
    case NGHTTP2_DATA: {
      auto data = unpadded(payload, flags, 0);
      if (!data) return fail("malformed DATA frame");
      StreamResult& result = streams_[stream_id];
      result.body_bytes += data->size();
      if (keep_bodies_) result.body.append(*data);
      if (flags & NGHTTP2_FLAG_END_STREAM) result.ended = true;
      return;
    }
    case NGHTTP2_HEADERS: {
      auto block = unpadded(payload, flags, (flags & NGHTTP2_FLAG_PRIORITY) ? 5 : 0);
      if (!block) return fail("malformed HEADERS frame");
      block_end_stream_ = flags & NGHTTP2_FLAG_END_STREAM;
      onHeaderFragment(stream_id, *block, flags & NGHTTP2_FLAG_END_HEADERS);
      return;
    }
    case NGHTTP2_CONTINUATION:
      if (block_stream_ != stream_id) return fail("CONTINUATION without its HEADERS");
      onHeaderFragment(stream_id, payload, flags & NGHTTP2_FLAG_END_HEADERS);
      return;
    case NGHTTP2_RST_STREAM:
      if (payload.size() != 4) return fail("malformed RST_STREAM frame");
      streams_[stream_id].reset = readU32(payload);
      return;
    case NGHTTP2_SETTINGS:
      if (payload.size() % 6 != 0) return fail("malformed SETTINGS frame");
      for (size_t at = 0; at < payload.size(); at += 6) {
        auto id = static_cast<uint16_t>(static_cast<uint8_t>(payload[at]) << 8 |
                                        static_cast<uint8_t>(payload[at + 1]));
        settings_[id] = readU32(payload.substr(at + 2));
      }
      return;
    case NGHTTP2_GOAWAY:
      if (payload.size() < 8) return fail("malformed GOAWAY frame");
      goaways_.push_back({static_cast<int32_t>(readU32(payload) & 0x7fffffffu),
                          readU32(payload.substr(4)), std::string(payload.substr(8))});
      return;
    default:
      return;  // PING, WINDOW_UPDATE, PRIORITY, extensions: counted only
  }
}

void FrameScanner::onHeaderFragment(int32_t stream_id, std::string_view fragment,
                                    bool end_headers) {
  block_stream_ = stream_id;
  block_.append(fragment);
  if (!end_headers) return;
  std::string block = std::move(block_);
  block_.clear();
  block_stream_ = 0;
  onHeaderBlock(stream_id, block);
}

void FrameScanner::onHeaderBlock(int32_t stream_id, std::string_view block) {
  Fields fields;
  const auto* in = reinterpret_cast<const uint8_t*>(block.data());
  size_t left = block.size();
  while (true) {
    nghttp2_nv field;
    int flags = 0;
    ssize_t used = nghttp2_hd_inflate_hd2(inflater_, &field, &flags, in, left, /*in_final=*/1);
    if (used < 0)
      return fail("HPACK decoding failed: " +
                  std::string(nghttp2_strerror(static_cast<int>(used))));
    in += used;
    left -= static_cast<size_t>(used);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      fields.emplace_back(std::string(reinterpret_cast<const char*>(field.name), field.namelen),
                          std::string(reinterpret_cast<const char*>(field.value), field.valuelen));
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_);
      break;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) break;
  }
  StreamResult& result = streams_[stream_id];
  if (block_end_stream_) result.ended = true;
  if (result.status != 0) {
    result.trailers = std::move(fields);
    return;
  }
  auto status = std::find_if(fields.begin(), fields.end(),
                             [](const auto& field) { return field.first == ":status"; });
  if (status == fields.end()) return fail("a response head without :status");
  if (!status->second.empty() && status->second[0] == '1') return;  // informational
  result.status = std::atoi(status->second.c_str());
  result.headers = std::move(fields);
}

}  // namespace weft::itest::h2
