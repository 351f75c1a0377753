// workerRandom(): 64 random bits from a generator private to the calling thread. Stream hooks of
// one worker always run on that worker's thread, so this is a per-worker generator: no lock, no
// shared state, nothing kept per stream. Seeded once per thread from std::random_device.
//
// For weighted cluster picks and fault percentages, not for anything secret.
#pragma once

#include <cstdint>
#include <random>

namespace weft::router {

inline uint64_t workerRandom() {
  // splitmix64 over a per-thread counter: tiny state, good spread, fast.
  thread_local uint64_t state = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace weft::router
