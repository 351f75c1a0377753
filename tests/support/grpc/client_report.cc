// Parsing of weft-grpc-test-client's JSON line (see client_report.h).
#include "tests/support/grpc/client_report.h"

#include <charconv>

namespace weft::grpctest {
namespace {

// A cursor over one line; every read returns false at the first character it does not expect.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void skipSpace() {
    while (!text_.empty() && (text_.front() == ' ' || text_.front() == '\t' ||
                              text_.front() == '\r' || text_.front() == '\n')) {
      text_.remove_prefix(1);
    }
  }
  bool atEnd() const { return text_.empty(); }
  bool peek(char c) const { return !text_.empty() && text_.front() == c; }
  bool consume(char c) {
    skipSpace();
    if (!peek(c)) return false;
    text_.remove_prefix(1);
    return true;
  }

  bool string(std::string& out) {
    if (!consume('"')) return false;
    while (!text_.empty()) {
      char c = text_.front();
      text_.remove_prefix(1);
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
      } else if (!escape(out)) {
        return false;
      }
    }
    return false;
  }

  bool integer(int64_t& out) {
    skipSpace();
    auto [end, error] = std::from_chars(text_.data(), text_.data() + text_.size(), out);
    if (error != std::errc()) return false;
    text_.remove_prefix(static_cast<size_t>(end - text_.data()));
    return true;
  }

 private:
  // After a backslash: one escape sequence, appended to `out`.
  bool escape(std::string& out) {
    if (text_.empty()) return false;
    char c = text_.front();
    text_.remove_prefix(1);
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return true;
      case 'n':
        out += '\n';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'u': {
        unsigned code = 0;
        if (text_.size() < 4) return false;
        auto [end, error] = std::from_chars(text_.data(), text_.data() + 4, code, 16);
        if (error != std::errc() || end != text_.data() + 4 || code > 0x7f) return false;
        text_.remove_prefix(4);
        out += static_cast<char>(code);
        return true;
      }
      default:
        return false;
    }
  }

  std::string_view text_;
};

}  // namespace

std::optional<ClientReport> ClientReport::parse(std::string_view line) {
  Reader reader(line);
  ClientReport report;
  if (!reader.consume('{')) return std::nullopt;
  reader.skipSpace();
  bool more = !reader.peek('}');
  while (more) {
    std::string key;
    if (!reader.string(key) || !reader.consume(':')) return std::nullopt;
    reader.skipSpace();
    if (reader.peek('"')) {
      std::string value;
      if (!reader.string(value)) return std::nullopt;
      report.fields_[key] = std::move(value);
    } else {
      int64_t value = 0;
      if (!reader.integer(value)) return std::nullopt;
      report.fields_[key] = value;
    }
    more = reader.consume(',');
  }
  if (!reader.consume('}')) return std::nullopt;
  reader.skipSpace();
  if (!reader.atEnd()) return std::nullopt;
  return report;
}

std::optional<int64_t> ClientReport::number(std::string_view key) const {
  auto it = fields_.find(key);
  if (it == fields_.end() || !std::holds_alternative<int64_t>(it->second)) return std::nullopt;
  return std::get<int64_t>(it->second);
}

std::optional<std::string> ClientReport::text(std::string_view key) const {
  auto it = fields_.find(key);
  if (it == fields_.end() || !std::holds_alternative<std::string>(it->second)) {
    return std::nullopt;
  }
  return std::get<std::string>(it->second);
}

std::optional<ClientReport> lastClientReport(std::string_view output) {
  std::optional<ClientReport> last;
  while (!output.empty()) {
    size_t end = output.find('\n');
    if (auto report = ClientReport::parse(output.substr(0, end))) last = std::move(report);
    output = end == std::string_view::npos ? std::string_view() : output.substr(end + 1);
  }
  return last;
}

}  // namespace weft::grpctest
