// appendCopy: copies an evbuffer's bytes onto another without draining or linearising the source
// (for the few places that must send a body and keep it: retries, mirrors).
#pragma once

#include <event2/buffer.h>

#include <vector>

namespace weft::event {

inline void appendCopy(evbuffer* to, evbuffer* from) {
  const int chunks = evbuffer_peek(from, -1, nullptr, nullptr, 0);
  if (chunks <= 0) return;
  std::vector<evbuffer_iovec> parts(static_cast<size_t>(chunks));
  evbuffer_peek(from, -1, nullptr, parts.data(), chunks);
  for (const evbuffer_iovec& part : parts) evbuffer_add(to, part.iov_base, part.iov_len);
}

}  // namespace weft::event
