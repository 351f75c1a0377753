// Buffer memory: see buffer_memory.h.
#include "core/event/buffer_memory.h"

#include <event2/event.h>
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>

#if defined(__SANITIZE_ADDRESS__)
#define WEFT_BUFFER_MEMORY_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_BUFFER_MEMORY_CACHE 0
#endif
#endif
#ifndef WEFT_BUFFER_MEMORY_CACHE
#define WEFT_BUFFER_MEMORY_CACHE 1
#endif

namespace weft::event {

#if WEFT_BUFFER_MEMORY_CACHE
namespace {

// libevent's smallest buffer chain (MIN_BUFFER_SIZE in buffer.c), header included.
constexpr size_t kChainBytes = 1024;
// Blocks kept per thread: enough for a burst of 64 connections, each with a message in and out.
constexpr uint32_t kDepth = 128;

// Trivially destructible, so it stays usable while the thread's other thread_local objects are
// destroyed (libevent may free a chain then); Closer hands its blocks back before the thread ends.
struct Cache {
  void* blocks[kDepth];
  uint32_t count;
  bool closed;  // the thread is ending: free everything
};
thread_local Cache cache;

struct Closer {
  ~Closer() {
    cache.closed = true;
    while (cache.count > 0) std::free(cache.blocks[--cache.count]);
  }
};

void* allocate(size_t size) {
  if (size == kChainBytes && cache.count > 0) return cache.blocks[--cache.count];
  return std::malloc(size);
}

void release(void* block) {
  // Any block that holds exactly what a chain asks for will do (malloc rounds sizes up).
  static const size_t kChainUsable = [] {
    void* probe = std::malloc(kChainBytes);
    size_t usable = malloc_usable_size(probe);
    std::free(probe);
    return usable;
  }();
  if (block != nullptr && !cache.closed && cache.count < kDepth &&
      malloc_usable_size(block) == kChainUsable) {
    thread_local Closer closer;  // registered on the thread's first cached block
    (void)closer;
    cache.blocks[cache.count++] = block;
    return;
  }
  std::free(block);
}

void* reallocate(void* block, size_t size) { return std::realloc(block, size); }

}  // namespace

void installBufferMemory() {
  static std::once_flag once;
  std::call_once(once, [] { event_set_mem_functions(allocate, reallocate, release); });
}
#else
void installBufferMemory() {}
#endif

}  // namespace weft::event
