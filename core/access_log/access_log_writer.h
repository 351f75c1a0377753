// AccessLogWriter: hands finished access log lines from the workers to a file without a worker
// ever waiting for the disk.
//
// write() appends the (moved) line to an in-memory queue under a mutex and returns; a dedicated
// writer thread swaps the whole queue out and write(2)s it as one batch. The lock is held only
// for a vector push_back of a moved string — never across I/O — and the writer is woken only when
// the queue goes from empty to non-empty, so a busy proxy pays one short critical section per
// line and about one wake-up per batch. A lock-free queue would save little at access-log rates
// and cost a lot of subtlety.
//
// The queue is bounded: a line that would take the pending bytes past `max_pending_bytes` is
// dropped and counted in the `dropped` counter (the disk is slower than the traffic: losing log
// lines beats growing without bound or stalling requests).
//
// Thread-safety: write(), reopen() and flush() may be called from any thread. Destruction writes
// out everything queued, then joins the writer thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/common/status.h"
#include "core/stats/stats.h"

namespace weft::access_log {

class AccessLogWriter {
 public:
  static constexpr size_t kDefaultMaxPendingBytes = 16 * 1024 * 1024;

  // Opens `path` (O_WRONLY|O_APPEND|O_CREAT, mode 0644; "/dev/stdout" works) and starts the
  // writer thread. `dropped` is borrowed and must outlive the writer.
  static Result<std::unique_ptr<AccessLogWriter>> open(
      const std::string& path, stats::Counter& dropped,
      size_t max_pending_bytes = kDefaultMaxPendingBytes);
  ~AccessLogWriter();
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  // Queues one line (which should end in '\n'); never blocks on I/O.
  void write(std::string line);
  // Asks the writer thread to close and reopen the path before its next batch (log rotation:
  // the lead wires SIGUSR1 to this). If reopening fails, the old file stays in use.
  void reopen();
  // Blocks until every line queued before the call has been handed to write(2). For shutdown and
  // tests; never call it from a worker.
  void flush();

  const std::string& path() const { return path_; }

 private:
  AccessLogWriter(std::string path, int fd, stats::Counter& dropped, size_t max_pending_bytes);
  void run();  // the writer thread
  void writeBatch(const std::vector<std::string>& lines, std::string& buffer);
  void reopenFile();

  const std::string path_;
  int fd_;  // touched only by the writer thread after construction
  stats::Counter& dropped_;
  const size_t max_pending_bytes_;
  bool write_failing_ = false;  // writer thread only: log the first failure of a streak only

  std::mutex mutex_;
  std::condition_variable wake_;     // writer: work to do
  std::condition_variable written_;  // flush(): progress
  std::vector<std::string> queue_;
  size_t pending_bytes_ = 0;
  uint64_t queued_lines_ = 0;   // lines ever accepted
  uint64_t written_lines_ = 0;  // lines ever handed to write(2) (or lost to a write error)
  bool reopen_requested_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after every member above is ready
};

}  // namespace weft::access_log
