// Connection: a non-blocking TCP socket with an input and an output buffer, driven by one
// worker's event loop. Written for the data path, where system calls are the cost that matters:
//   - reads go straight into the input buffer's free space (no FIONREAD probe per read);
//   - writes are batched: everything queued while handling one event leaves in one writev, once
//     that event's callbacks are done;
//   - write interest is registered with the poller only while the kernel's send buffer is full,
//     so a request/response exchange costs no epoll_ctl at all.
// Backpressure: reading pauses when the input holds read_high_watermark bytes (until the owner
// consumes them and calls resumeReading) or when the owner asks (readDisable).
//
// Not thread-safe: a Connection lives and dies on its worker. The event is embedded, so a
// Connection is one allocation plus its two buffers.
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include <cstddef>

#include "core/network/address.h"

namespace weft::network {

class ConnectionCallbacks {
 public:
  virtual ~ConnectionCallbacks() = default;
  // New bytes are in input().
  virtual void onReadable() = 0;
  // The peer closed its sending side (EOF); reading has stopped.
  virtual void onRemoteClose() = 0;
  // The socket failed (reset, refused, timed out in the kernel). The owner should close.
  virtual void onConnectionError() = 0;
  // The output fell to the low watermark after watchDrain() was called.
  virtual void onWriteDrained() {}
  // An outbound connect() completed.
  virtual void onConnected() {}
};

class Connection {
 public:
  struct Watermarks {
    size_t read_high = 1 << 20;  // stop reading when the input holds this much
    size_t write_low = 1 << 19;  // onWriteDrained fires at or below this
  };

  // Adopts an accepted, connected socket.
  Connection(event_base* base, int fd, ConnectionCallbacks& callbacks, Watermarks marks);
  // Starts connecting to `address`; onConnected or onConnectionError follows. `ok` is false when
  // the attempt failed at once (the owner then reports the failure itself).
  Connection(event_base* base, const Address& address, ConnectionCallbacks& callbacks,
             Watermarks marks, bool& ok);
  ~Connection();  // closes the socket; no callback follows
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  evbuffer* input() const { return input_; }
  evbuffer* output() const { return output_; }
  int fd() const { return fd_; }

  // Sends what output() holds once the current event's callbacks have run.
  void flush();
  // Stop / resume reading on the owner's behalf (independent of the input watermark).
  void readDisable(bool disable);
  // The owner consumed input: reading resumes if the watermark had paused it.
  void resumeReading();
  // Calls onWriteDrained once the output falls to the low watermark.
  void watchDrain() { watch_drain_ = true; }
  // Stops reading and writing for good (the owner is about to destroy it).
  void quiesce();

 private:
  static void onEvent(evutil_socket_t fd, short what, void* self);
  void handleRead();
  void handleWrite();
  void updateInterest();
  bool wantRead() const { return !read_disabled_ && !read_paused_ && !eof_ && !connecting_; }

  event_base* base_;
  int fd_;
  ConnectionCallbacks& callbacks_;
  Watermarks marks_;
  evbuffer* input_;
  evbuffer* output_;
  ::event event_;         // embedded: read and write interest of the socket
  short registered_ = 0;  // EV_READ / EV_WRITE currently registered with the poller
  bool write_scheduled_ = false;
  bool read_disabled_ = false;
  bool read_paused_ = false;  // by the input watermark
  bool eof_ = false;
  bool connecting_ = false;
  bool watch_drain_ = false;
  bool quiesced_ = false;
  bool last_read_full_ = false;  // the last read brought a full small chunk: read bigger
};

}  // namespace weft::network
