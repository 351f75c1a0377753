// idle_conns: holds N idle HTTP/1.1 keep-alive connections open against a server, for the
// benchmark's "memory per idle connection" figure (tests/bench/run.sh).
//
//   idle_conns PORT N [WINDOW]
//
// Opens N connections to 127.0.0.1:PORT, at most WINDOW (default 64) in progress at a time so
// the server under test never queues many upstream requests. On each it sends one
// "GET / HTTP/1.1" and reads the whole response (Content-Length framing), so every connection
// has served a request and sits idle in keep-alive. Then it prints "ready OK FAILED" on stdout
// (OK connections held, FAILED ones closed; the first failure is described on stderr) and holds
// the connections until stdin reaches end-of-file or SIGTERM/SIGINT arrives. On the way out
// every socket is reset (SO_LINGER 0), so repeated runs leave no TIME_WAIT behind.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kBufferSize = 8192, kMaxWindow = 1024, kStallMs = 10000 };

static const char kRequest[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// One connection in progress: connecting, then sending the request, then reading the response.
struct Slot {
  int fd;  // -1: free
  int connected;
  size_t sent;
  size_t received;
  char buffer[kBufferSize];
};

static volatile sig_atomic_t g_stop = 0;
static int g_failed = 0;

static void onSignal(int signo) {
  (void)signo;
  g_stop = 1;
}

static void fail(const char* what) {
  if (g_failed++ == 0) fprintf(stderr, "idle_conns: %s\n", what);
}

static void resetAndClose(int fd) {
  struct linger reset = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  close(fd);
}

// 1: the buffer holds a complete 200 response; 0: more bytes needed; -1: not a usable response.
static int responseState(const struct Slot* slot) {
  const char* end = memmem(slot->buffer, slot->received, "\r\n\r\n", 4);
  if (end == NULL) return slot->received == kBufferSize ? -1 : 0;
  size_t head = (size_t)(end - slot->buffer) + 4;
  if (slot->received < 12 || memcmp(slot->buffer, "HTTP/1.1 200", 12) != 0) return -1;
  long length = -1;
  for (const char* line = slot->buffer; line < end;) {
    const char* next = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
    if (strncasecmp(line, "content-length:", 15) == 0) length = strtol(line + 15, NULL, 10);
    if (strncasecmp(line, "connection:", 11) == 0 &&
        memmem(line, (size_t)(next - line), "close", 5))
      return -1;
    line = next + 2;
  }
  if (length < 0) return -1;
  return slot->received >= head + (size_t)length ? 1 : 0;
}

static int startConnection(const struct sockaddr_in* address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (const struct sockaddr*)address, sizeof *address) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

// Advances one slot on readiness `events`. Returns 1 when the response is complete, 0 while in
// progress, -1 on failure (the caller closes the socket).
static int advance(struct Slot* slot, short events) {
  if (events & (POLLERR | POLLNVAL)) return -1;
  if (!slot->connected) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(slot->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) return -1;
    slot->connected = 1;
  }
  while (slot->sent < sizeof kRequest - 1) {
    ssize_t n =
        send(slot->fd, kRequest + slot->sent, sizeof kRequest - 1 - slot->sent, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    slot->sent += (size_t)n;
  }
  for (;;) {
    ssize_t n = recv(slot->fd, slot->buffer + slot->received, kBufferSize - slot->received, 0);
    if (n == 0) return -1;
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    slot->received += (size_t)n;
    int state = responseState(slot);
    if (state != 0) return state;
  }
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s PORT N [WINDOW]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int total = atoi(argv[2]);
  int window = argc == 4 ? atoi(argv[3]) : 64;
  if (port <= 0 || port > 65535 || total <= 0 || window <= 0 || window > kMaxWindow) {
    fprintf(stderr, "idle_conns: bad arguments\n");
    return 2;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = onSignal;
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);

  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((uint16_t)port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  int* held = calloc((size_t)total, sizeof *held);
  struct Slot* slots = calloc((size_t)window, sizeof *slots);
  struct pollfd* polls = calloc((size_t)window, sizeof *polls);
  if (held == NULL || slots == NULL || polls == NULL) return 1;
  for (int i = 0; i < window; ++i) slots[i].fd = -1;

  int started = 0, ok = 0, active = 0;
  while (!g_stop && (started < total || active > 0)) {
    for (int i = 0; i < window && started < total; ++i) {
      if (slots[i].fd >= 0) continue;
      ++started;
      slots[i].fd = startConnection(&address);
      slots[i].connected = 0;
      slots[i].sent = slots[i].received = 0;
      if (slots[i].fd < 0) {
        fail(strerror(errno));
      } else {
        ++active;
      }
    }
    for (int i = 0; i < window; ++i) {
      polls[i].fd = slots[i].fd;
      polls[i].events =
          slots[i].connected && slots[i].sent == sizeof kRequest - 1 ? POLLIN : POLLOUT;
      polls[i].revents = 0;
    }
    int ready = poll(polls, (nfds_t)window, kStallMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      fail(ready == 0 ? "no progress for 10 s" : strerror(errno));
      break;
    }
    for (int i = 0; i < window; ++i) {
      if (slots[i].fd < 0 || polls[i].revents == 0) continue;
      int state = advance(&slots[i], polls[i].revents);
      if (state == 0) continue;
      if (state > 0) {
        held[ok++] = slots[i].fd;
      } else {
        fail(slots[i].received > 0 ? "response not a keep-alive 200 with Content-Length"
                                   : "connection failed or closed before the response");
        resetAndClose(slots[i].fd);
      }
      slots[i].fd = -1;
      --active;
    }
  }
  for (int i = 0; i < window; ++i) {
    if (slots[i].fd >= 0) {
      fail("connection unfinished");
      resetAndClose(slots[i].fd);
    }
  }
  printf("ready %d %d\n", ok, total - ok);
  fflush(stdout);

  // Hold until stdin closes or a signal arrives.
  struct pollfd input = {STDIN_FILENO, POLLIN, 0};
  char sink[256];
  while (!g_stop) {
    int ready = poll(&input, 1, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || read(STDIN_FILENO, sink, sizeof sink) <= 0) break;
  }
  for (int i = 0; i < ok; ++i) resetAndClose(held[i]);
  free(polls);
  free(slots);
  free(held);
  return 0;
}
