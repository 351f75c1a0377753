// Prng: the small, fast pseudo-random generator behind the balancers' random choices (SplitMix64:
// one add and two multiply-xorshift rounds per number, full 2^64 period). Not for secrets. Each
// balancer owns one, seeded by its worker, so a test can replay a sequence from its seed.
#pragma once

#include <cstdint>

namespace weft::upstream {

class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound), bound > 0: the high half of a 64x64-bit product, no division.
  uint64_t below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

}  // namespace weft::upstream
