// AccessLogWriter's queue and writer thread: see access_log_writer.h.
#include "core/access_log/access_log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/common/logging.h"

namespace weft::access_log {
namespace {

int openLog(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

}  // namespace

Result<std::unique_ptr<AccessLogWriter>> AccessLogWriter::open(const std::string& path,
                                                               stats::Counter& dropped,
                                                               size_t max_pending_bytes) {
  int fd = openLog(path);
  if (fd < 0) {
    return Status::error("access log '" + path + "': cannot open: " + std::strerror(errno));
  }
  return std::unique_ptr<AccessLogWriter>(
      new AccessLogWriter(path, fd, dropped, max_pending_bytes));
}

AccessLogWriter::AccessLogWriter(std::string path, int fd, stats::Counter& dropped,
                                 size_t max_pending_bytes)
    : path_(std::move(path)),
      fd_(fd),
      dropped_(dropped),
      max_pending_bytes_(max_pending_bytes),
      thread_([this] { run(); }) {}

AccessLogWriter::~AccessLogWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  ::close(fd_);
}

void AccessLogWriter::write(std::string line) {
  bool was_empty;
  {
    std::lock_guard lock(mutex_);
    if (pending_bytes_ + line.size() > max_pending_bytes_) {
      dropped_.inc();
      return;
    }
    pending_bytes_ += line.size();
    ++queued_lines_;
    was_empty = queue_.empty();
    queue_.push_back(std::move(line));
  }
  if (was_empty) wake_.notify_one();
}

void AccessLogWriter::reopen() {
  {
    std::lock_guard lock(mutex_);
    reopen_requested_ = true;
  }
  wake_.notify_one();
}

void AccessLogWriter::flush() {
  std::unique_lock lock(mutex_);
  uint64_t target = queued_lines_;
  written_.wait(lock, [&] { return written_lines_ >= target; });
}

void AccessLogWriter::run() {
  std::vector<std::string> batch;
  std::string buffer;
  while (true) {
    bool reopen = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || reopen_requested_ || stopping_; });
      if (queue_.empty() && !reopen_requested_) return;  // stopping, and nothing left
      batch.swap(queue_);
      pending_bytes_ = 0;
      reopen = reopen_requested_;
      reopen_requested_ = false;
    }
    if (reopen) reopenFile();
    writeBatch(batch, buffer);
    {
      std::lock_guard lock(mutex_);
      written_lines_ += batch.size();
    }
    written_.notify_all();
    batch.clear();
  }
}

void AccessLogWriter::writeBatch(const std::vector<std::string>& lines, std::string& buffer) {
  if (lines.empty()) return;
  buffer.clear();
  for (const std::string& line : lines) buffer += line;
  size_t done = 0;
  while (done < buffer.size()) {
    ssize_t n = ::write(fd_, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!write_failing_) {
        log::error("access log '" + path_ + "': write failed: " + std::strerror(errno) +
                   "; lines are lost until writes succeed again");
      }
      write_failing_ = true;
      return;
    }
    done += static_cast<size_t>(n);
  }
  write_failing_ = false;
}

void AccessLogWriter::reopenFile() {
  int fd = openLog(path_);
  if (fd < 0) {
    log::error("access log '" + path_ + "': cannot reopen: " + std::strerror(errno) +
               "; still writing to the old file");
    return;
  }
  ::close(fd_);
  fd_ = fd;
}

}  // namespace weft::access_log
