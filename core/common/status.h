// Errors as values. Every fallible call on the data path returns a Status or a Result<T>;
// exceptions appear only at the edges (config parsing, start-up) and are turned into these there.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace weft {

// A success, or a failure carrying a message written for the person who reads the log.
class Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message), false); }

  bool isOk() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& message() const { return message_; }

 private:
  Status(std::string message, bool ok) : message_(std::move(message)), ok_(ok) {}
  std::string message_;
  bool ok_ = true;
};

// A value, or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit on purpose, like std::expected
  Result(Status failure) : state_(std::move(failure)) {
    assert(!std::get<Status>(state_).isOk());
  }  // NOLINT

  bool isOk() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return isOk(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const Status& status() const { return std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace weft
