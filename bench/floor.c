// The C floor for `npm run bench`: the least a fan-out server can do at a given write cadence, so every
// figure of ours is judged against the limit and not only against icecast2.
//
//   floor PORT INTERVAL_MS
//
// One epoll thread on one port. The first request that says SOURCE or PUT is the source (answered 200, then
// read as bytes); a GET is a listener (answered 200 with audio/mpeg). No ICY, no auth, no mounts, no burst:
// new bytes are appended to one shared buffer, and every INTERVAL_MS (0: after every source read) each
// listener gets what it is owed in one send() straight from that buffer. No allocation per write; a
// listener more than 512 KiB behind is dropped, as a slow client is.

#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MAX_FDS 65536
#define BUF_CAP (8 * 1024 * 1024)
#define MAX_LAG (512 * 1024)

enum { FREE, HEAD, LISTENER, SOURCE };

typedef struct {
  int kind;
  int head_len;
  char head[1024];
  uint64_t pos; /* absolute stream position of the next byte to send */
} conn_t;

static conn_t conns[MAX_FDS];
static uint8_t *buf;   /* bytes [base, end) of the stream */
static uint64_t base, end;
static int listeners[MAX_FDS];
static int nlisteners;

static void drop(int ep, int fd) {
  if (conns[fd].kind == LISTENER) {
    for (int i = 0; i < nlisteners; i++)
      if (listeners[i] == fd) {
        listeners[i] = listeners[--nlisteners];
        break;
      }
  }
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  conns[fd].kind = FREE;
}

/** Keeps the buffer bounded: forgets what no listener may still be owed (rarely moves memory). */
static void compact(void) {
  if (end - base <= BUF_CAP / 2) return;
  uint64_t keep = end - MAX_LAG;
  memmove(buf, buf + (keep - base), end - keep);
  base = keep;
}

/** Everything owed to every listener, one send() each. */
static void flush(int ep) {
  for (int i = nlisteners - 1; i >= 0; i--) {
    int fd = listeners[i];
    conn_t *c = &conns[fd];
    if (c->pos < base || end - c->pos > MAX_LAG) {
      drop(ep, fd);
      continue;
    }
    if (c->pos == end) continue;
    ssize_t n = send(fd, buf + (c->pos - base), end - c->pos, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) c->pos += n;
    else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) drop(ep, fd);
  }
  compact();
}

static void on_head(int ep, int fd) {
  conn_t *c = &conns[fd];
  ssize_t n = read(fd, c->head + c->head_len, sizeof c->head - 1 - c->head_len);
  if (n <= 0) return drop(ep, fd);
  c->head_len += n;
  c->head[c->head_len] = 0;
  if (!strstr(c->head, "\r\n\r\n")) {
    if (c->head_len >= (int)sizeof c->head - 1) drop(ep, fd);
    return;
  }
  if (!strncmp(c->head, "SOURCE ", 7) || !strncmp(c->head, "PUT ", 4)) {
    static const char ok[] = "HTTP/1.0 200 OK\r\n\r\n";
    if (write(fd, ok, sizeof ok - 1) < 0) return drop(ep, fd);
    c->kind = SOURCE;
  } else {
    static const char ok[] = "HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n";
    if (write(fd, ok, sizeof ok - 1) < 0) return drop(ep, fd);
    c->kind = LISTENER;
    c->pos = end;
    listeners[nlisteners++] = fd;
    /* listeners have nothing to say: stop watching them for input */
    struct epoll_event ev = {.events = EPOLLRDHUP, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: floor PORT INTERVAL_MS\n");
    return 64;
  }
  int port = atoi(argv[1]);
  int interval = atoi(argv[2]);
  signal(SIGPIPE, SIG_IGN);
  buf = malloc(BUF_CAP);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 4096) < 0) {
    perror("floor: listen");
    return 3;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  int tfd = -1;
  if (interval > 0) {
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {.it_interval = {interval / 1000, (interval % 1000) * 1000000L}, .it_value = {interval / 1000, (interval % 1000) * 1000000L}};
    timerfd_settime(tfd, 0, &its, NULL);
    ev = (struct epoll_event){.events = EPOLLIN, .data.fd = tfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  }
  printf("floor listening on %d, interval %d ms\n", port, interval);
  fflush(stdout);
  struct epoll_event evs[256];
  static uint8_t rbuf[65536];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        for (;;) {
          int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
          if (c < 0) break;
          if (c >= MAX_FDS) {
            close(c);
            continue;
          }
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conns[c] = (conn_t){.kind = HEAD};
          struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
      } else if (fd == tfd) {
        uint64_t ticks;
        if (read(tfd, &ticks, sizeof ticks) > 0) flush(ep);
      } else if (conns[fd].kind == HEAD) {
        on_head(ep, fd);
      } else if (conns[fd].kind == SOURCE) {
        ssize_t got = read(fd, rbuf, sizeof rbuf);
        if (got <= 0) {
          if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) drop(ep, fd);
          continue;
        }
        compact();
        memcpy(buf + (end - base), rbuf, got);
        end += got;
        if (interval == 0) flush(ep);
      } else if (conns[fd].kind == LISTENER && (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        drop(ep, fd);
      }
    }
  }
}
