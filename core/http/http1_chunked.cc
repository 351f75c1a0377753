// ChunkedDecoder: the chunked transfer coding of RFC 9112 §7.1, one framing line or one run of
// data per step. See http1_parser.h for the contract.
#include <algorithm>
#include <cstring>

#include "core/http/http1_parser.h"
#include "core/http/http1_syntax.h"

namespace weft::http1 {
namespace {

using syntax::is;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Takes the line at the front of `input` if its LF lies within the first `budget` bytes.
// Returns 1 with `line` (line end removed) and `used` (with line end), 0 when more bytes are
// needed, -1 when the line cannot fit the budget.
int takeLine(std::string_view input, size_t budget, std::string_view& line, size_t& used) {
  size_t window = std::min(input.size(), budget);
  const void* lf = window == 0 ? nullptr : std::memchr(input.data(), '\n', window);
  if (lf == nullptr) return input.size() >= budget ? -1 : 0;
  used = static_cast<size_t>(static_cast<const char*>(lf) - input.data()) + 1;
  line = input.substr(0, used - 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return 1;
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), where a value is a
// token or a quoted-string. Extensions carry nothing we use; they are checked, then dropped.
bool validExtensions(std::string_view ext) {
  size_t i = 0;
  auto skipBws = [&] {
    while (i < ext.size() && (ext[i] == ' ' || ext[i] == '\t')) ++i;
  };
  auto token = [&] {
    size_t start = i;
    while (i < ext.size() && is(ext[i], syntax::kTchar)) ++i;
    return i > start;
  };
  auto quotedString = [&] {
    for (++i; i < ext.size(); ++i) {
      if (ext[i] == '"') {
        ++i;
        return true;
      }
      if (ext[i] == '\\') {
        if (++i == ext.size() || !is(ext[i], syntax::kFieldValue)) return false;
      } else if (!is(ext[i], syntax::kQdtext)) {
        return false;
      }
    }
    return false;
  };
  while (i < ext.size()) {
    skipBws();
    if (i == ext.size() || ext[i] != ';') return false;
    ++i;
    skipBws();
    if (!token()) return false;
    size_t after_name = i;
    skipBws();
    if (i < ext.size() && ext[i] == '=') {
      ++i;
      skipBws();
      if (!(i < ext.size() && ext[i] == '"' ? quotedString() : token())) return false;
    } else {
      i = after_name;  // whitespace belongs to the next ";", never trails the line
    }
  }
  return true;
}

// Trailer fields that would change framing or routing if a peer merged them into the head
// (RFC 9110 §6.5.1); refusing them is safer than forwarding them.
bool forbiddenTrailer(std::string_view name) {
  return http::equalsIgnoreCase(name, "content-length") ||
         http::equalsIgnoreCase(name, "transfer-encoding") || http::equalsIgnoreCase(name, "host");
}

}  // namespace

ChunkedDecoder::Step ChunkedDecoder::next(std::string_view input, http::HeaderMap& trailers) {
  Step step;
  auto fail = [&](ParseError error) {
    state_ = State::kError;
    error_ = error;
    step.consumed = 0;
    step.error = error;
    return step;
  };
  std::string_view line;
  size_t used = 0;
  switch (state_) {
    case State::kSize: {
      int taken = takeLine(input, kMaxLine, line, used);
      if (taken == 0) return step;
      if (taken < 0) return fail(ParseError::kBadChunkSize);
      size_t digits = 0;
      uint64_t size = 0;
      for (int h; digits < line.size() && (h = hexValue(line[digits])) >= 0; ++digits) {
        if (size > (syntax::kMaxBodyLength >> 4)) return fail(ParseError::kBadChunkSize);
        size = (size << 4) | static_cast<uint64_t>(h);
      }
      if (digits == 0 || !validExtensions(line.substr(digits))) {
        return fail(ParseError::kBadChunkSize);
      }
      step.consumed = used;
      remaining_ = size;
      state_ = size > 0 ? State::kData : State::kTrailer;
      return step;
    }
    case State::kData: {
      size_t run = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size()));
      step.consumed = run;
      step.data_length = run;
      remaining_ -= run;
      if (remaining_ == 0) state_ = State::kDataCrlf;
      return step;
    }
    case State::kDataCrlf:
      if (input.empty() || (input[0] == '\r' && input.size() == 1)) return step;
      if (input[0] == '\n') {
        step.consumed = 1;
      } else if (input[0] == '\r' && input[1] == '\n') {
        step.consumed = 2;
      } else {
        return fail(ParseError::kBadChunkData);
      }
      state_ = State::kSize;
      return step;
    case State::kTrailer: {
      int taken = takeLine(input, kMaxLine - trailer_bytes_, line, used);
      if (taken == 0) return step;
      if (taken < 0) return fail(ParseError::kBadTrailer);
      trailer_bytes_ += static_cast<uint32_t>(used);
      step.consumed = used;
      if (line.empty()) {
        state_ = State::kDone;
        step.done = true;
        return step;
      }
      syntax::Field field;
      if (syntax::parseField(line, field) != ParseError::kNone || forbiddenTrailer(field.name)) {
        return fail(ParseError::kBadTrailer);
      }
      trailers.add(field.name, field.value);
      return step;
    }
    case State::kDone:
      step.done = true;
      return step;
    case State::kError:
      step.error = error_;
      return step;
  }
  return step;
}

}  // namespace weft::http1
