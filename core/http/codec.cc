// Protocol names and hop-by-hop field handling shared by every codec; see codec.h.
#include "core/http/codec.h"

#include <array>
#include <string>
#include <vector>

namespace weft::http {

std::string_view protocolName(Protocol p) {
  switch (p) {
    case Protocol::kHttp10:
      return "HTTP/1.0";
    case Protocol::kHttp11:
      return "HTTP/1.1";
    case Protocol::kHttp2:
      return "HTTP/2";
  }
  return "HTTP/1.1";
}

bool isHopByHop(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kHopByHop = {
      "connection", "keep-alive", "proxy-connection", "transfer-encoding",
      "te",         "trailer",    "upgrade",          "proxy-authenticate"};
  for (auto h : kHopByHop) {
    if (h == name) return true;
  }
  return false;
}

void removeHopByHop(HeaderMap& headers, bool keep_upgrade) {
  // Fields the Connection header names are hop-by-hop too (RFC 9110 §7.6.1).
  std::vector<std::string> named;
  for (size_t i = 0; const std::string* value = headers.get("connection", i); ++i) {
    size_t start = 0;
    while (start <= value->size()) {
      size_t comma = value->find(',', start);
      if (comma == std::string::npos) comma = value->size();
      std::string token = value->substr(start, comma - start);
      size_t b = token.find_first_not_of(" \t");
      size_t e = token.find_last_not_of(" \t");
      if (b != std::string::npos) {
        token = token.substr(b, e - b + 1);
        for (char& c : token) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (token != "upgrade") named.push_back(std::move(token));
      }
      start = comma + 1;
    }
  }
  bool any = !named.empty();
  for (const auto& e : headers) any = any || isHopByHop(e.name);
  if (!any) return;
  HeaderMap kept;
  kept.reserve(headers.size());
  for (const auto& e : headers) {
    bool upgrade_field = e.name == "upgrade" || e.name == "connection";
    if (keep_upgrade && upgrade_field) {
      kept.add(e.name, e.name == "connection" ? "upgrade" : e.value);
      continue;
    }
    if (isHopByHop(e.name)) continue;
    bool listed = false;
    for (const auto& n : named) listed = listed || n == e.name;
    if (!listed) kept.add(e.name, e.value);
  }
  headers = std::move(kept);
}

}  // namespace weft::http
