// route_match_bench: how long the router takes to pick a route in a table of 1,000 routes that
// mix the match kinds — prefix, exact path, RE2 regex, and prefix plus a header — for a request
// that hits a route near the front, one near the end, and one that matches nothing. The table is
// large enough to be indexed (route_index.h), so a late hit or a miss does not try every route.
// Prints nanoseconds and heap allocations per lookup; asserts nothing. Build it in Release:
//
//   cmake --build build/release --target route_match_bench && build/release/tests/route_match_bench
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <variant>

#include "filters/router/match_input.h"
#include "filters/router/route_table.h"

// Every allocation in this process is counted, to show that lookups make none.
std::atomic<uint64_t> g_allocations{0};

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using weft::router::ForwardAction;
using weft::router::ListMatchInput;
using weft::router::Route;
using weft::router::RouteTable;

constexpr int kRoutes = 1000;

// Route i: i % 4 picks the kind.
std::string routeJson(int i) {
  const std::string n = std::to_string(i);
  switch (i % 4) {
    case 0:
      return R"({"match":{"prefix":"/svc)" + n + R"(/"},"cluster":"c)" + n + R"("})";
    case 1:
      return R"({"match":{"path":"/exact/)" + n + R"("},"cluster":"c)" + n + R"("})";
    case 2:
      return R"({"match":{"safe_regex":{"regex":"/re)" + n + R"(/[a-z]+/[0-9]+"}},"cluster":"c)" +
             n + R"("})";
    default:
      return R"({"match":{"prefix":"/hdr)" + n +
             R"(/","headers":[{"name":"x-tenant","exact_match":"t)" + n + R"("}]},"cluster":"c)" +
             n + R"("})";
  }
}

RouteTable buildTable() {
  std::string routes;
  for (int i = 0; i < kRoutes; ++i) routes += (i ? "," : "") + routeJson(i);
  auto table = RouteTable::parse(R"({"name":"bench","virtual_hosts":[{"name":"all",
      "domains":["*"],"routes":[)" +
                                 routes + "]}]}");
  if (!table) {
    std::fprintf(stderr, "route_match_bench: %s\n", table.status().message().c_str());
    std::exit(1);
  }
  return std::move(*table);
}

struct Case {
  const char* name;
  std::string path;
  std::string tenant;  // x-tenant header value
  const char* expect;  // the route's cluster, or nullptr for a miss
};

struct Measurement {
  double ns_per_lookup = 0;
  double allocations_per_lookup = 0;
};

// Time and allocations per lookup of `c`, over enough iterations to run for about 200 ms.
Measurement measure(const RouteTable& table, const Case& c) {
  const ListMatchInput input({{":method", "GET"},
                              {":scheme", "http"},
                              {"user-agent", "bench/1.0"},
                              {"accept", "*/*"},
                              {"x-request-id", "9b2c0a4e-1f3d-4c55-8e2a-0d7f1c3b5a6e"},
                              {"x-tenant", c.tenant}},
                             10000);
  const Route* found = table.route("bench.local", c.path, input);
  const bool right =
      c.expect == nullptr
          ? found == nullptr
          : found != nullptr && std::get<ForwardAction>(found->action).cluster == c.expect;
  if (!right) {
    std::fprintf(stderr, "route_match_bench: %s picked the wrong route\n", c.name);
    std::exit(1);
  }
  using Clock = std::chrono::steady_clock;
  uint64_t iterations = 1000;
  while (true) {
    const Route* volatile sink = nullptr;
    const uint64_t allocations_before = g_allocations.load();
    const auto start = Clock::now();
    for (uint64_t i = 0; i < iterations; ++i) sink = table.route("bench.local", c.path, input);
    const double elapsed_ns = static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    const uint64_t allocations = g_allocations.load() - allocations_before;
    (void)sink;
    if (elapsed_ns > 200e6) {
      return {elapsed_ns / static_cast<double>(iterations),
              static_cast<double>(allocations) / static_cast<double>(iterations)};
    }
    iterations *= 2;
  }
}

}  // namespace

int main() {
  const RouteTable table = buildTable();
  const Case cases[] = {
      {"early hit, prefix (route 0)", "/svc0/items?page=2", "", "c0"},
      {"early hit, exact (route 1)", "/exact/1", "", "c1"},
      {"early hit, regex (route 2)", "/re2/items/42", "", "c2"},
      {"early hit, header (route 3)", "/hdr3/x", "t3", "c3"},
      {"late hit, prefix (route 996)", "/svc996/items", "", "c996"},
      {"late hit, exact (route 997)", "/exact/997", "", "c997"},
      {"late hit, regex (route 998)", "/re998/items/42", "", "c998"},
      {"late hit, header (route 999)", "/hdr999/x", "t999", "c999"},
      {"miss", "/nothing/here", "t5", nullptr},
      {"miss, regex-like path", "/re1000/items/42", "", nullptr},
  };
  std::printf("route table: %d routes (prefix, exact, regex, prefix+header in turn)\n", kRoutes);
  std::printf("%-34s %12s %14s\n", "lookup", "ns/match", "allocs/match");
  for (const Case& c : cases) {
    const Measurement m = measure(table, c);
    std::printf("%-34s %12.1f %14.2f\n", c.name, m.ns_per_lookup, m.allocations_per_lookup);
  }
  return 0;
}
