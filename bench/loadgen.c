// Listener load generator and marker source for `npm run bench`, in C so that it is never the bottleneck.
//
//   loadgen HOST PORT MOUNT SOURCE_PORT PASSWORD N RAMP_PER_S SECONDS
//
// 1. Connects a source (SOURCE, Basic auth) and writes one silent 128 kbit/s MPEG-1 Layer III frame per
//    26.12 ms, paced against CLOCK_MONOTONIC. Each frame carries a marker in its ancillary bytes (which
//    decoders ignore): a magic word and the monotonic time of the write.
// 2. Opens N listeners at RAMP_PER_S per second, reads with epoll (the same 64 KiB reads for any server),
//    and scans every 16th listener for markers to time source write -> listener receipt.
// 3. After the ramp, measures for SECONDS and prints one JSON line: per-listener kbit/s (p1, p50),
//    stalled listeners (nothing for 2 s), refused/closed connections, latency p50/p99 in ms, its own CPU.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME 417
#define FRAME_NS 26122449L /* 1152 / 44100 s */
static const uint8_t MAGIC[8] = {'C', 'Y', 'L', 'A', 'T', 'M', 'K', '1'};

typedef struct {
  int fd;
  int connected;
  int head_done;
  int closed;
  uint64_t bytes;
  uint64_t bytes_at_start;
  int64_t last_rx_ns;
  uint8_t tail[15]; /* marker search across reads */
  int tail_len;
} conn_t;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000L + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
  if (n == 0) return -1;
  qsort(v, n, sizeof(double), cmp_double);
  int i = (int)(p * (n - 1));
  return v[i];
}

static int connect_to(const char *host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static void base64(const char *in, char *out) {
  size_t n = strlen(in), o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint8_t)in[i] << 16 | (i + 1 < n ? (uint8_t)in[i + 1] << 8 : 0) | (i + 2 < n ? (uint8_t)in[i + 2] : 0);
    out[o++] = B64[(v >> 18) & 63];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? B64[v & 63] : '=';
  }
  out[o] = 0;
}

int main(int argc, char **argv) {
  if (argc < 9) {
    fprintf(stderr, "usage: loadgen HOST PORT MOUNT SOURCE_PORT PASSWORD N RAMP_PER_S SECONDS\n");
    return 64;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  const char *mount = argv[3];
  int sport = atoi(argv[4]);
  const char *password = argv[5];
  int n = atoi(argv[6]);
  int ramp = atoi(argv[7]);
  int seconds = atoi(argv[8]);

  /* the source */
  int src = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(sport);
  inet_pton(AF_INET, host, &sa.sin_addr);
  if (connect(src, (struct sockaddr *)&sa, sizeof sa) < 0) {
    perror("source connect");
    return 1;
  }
  int one = 1;
  setsockopt(src, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char cred[256], b64[400], req[1024];
  snprintf(cred, sizeof cred, "source:%s", password);
  base64(cred, b64);
  int rl = snprintf(req, sizeof req, "SOURCE %s HTTP/1.0\r\nAuthorization: Basic %s\r\nContent-Type: audio/mpeg\r\nice-name: bench\r\n\r\n", mount, b64);
  if (write(src, req, rl) != rl) return 1;
  char resp[512];
  ssize_t got = read(src, resp, sizeof resp - 1);
  if (got <= 0 || strstr(resp, "200") == NULL) {
    fprintf(stderr, "source refused: %.*s\n", (int)(got > 0 ? got : 0), resp);
    return 1;
  }
  fcntl(src, F_SETFL, O_NONBLOCK);
  uint8_t frame[FRAME];
  memset(frame, 0, sizeof frame);
  frame[0] = 0xff; frame[1] = 0xfb; frame[2] = 0x90; frame[3] = 0x00; /* 128k 44.1k stereo, no padding */
  /* marker after the 4-byte header and 32 bytes of zero side information: ancillary data */
  const int MOFF = 4 + 32 + 16;

  int ep = epoll_create1(0);
  conn_t *c = calloc(n, sizeof(conn_t));
  char get[512];
  int gl = snprintf(get, sizeof get, "GET %s HTTP/1.0\r\nUser-Agent: cycast-bench\r\n\r\n", mount);
  static uint8_t buf[65536];
  double *lat = malloc(sizeof(double) * 2000000);
  int nlat = 0;
  int opened = 0, refused = 0;
  int64_t t0 = now_ns();
  int64_t next_frame = t0;
  int64_t frames = 0;
  int64_t ramp_done = -1, measure_start = -1, end = -1;
  int measuring = 0;
  struct epoll_event evs[1024];

  for (;;) {
    int64_t t = now_ns();
    /* source: every frame that is due */
    while (t >= next_frame) {
      memcpy(frame + MOFF, MAGIC, 8);
      int64_t stamp = now_ns();
      memcpy(frame + MOFF + 8, &stamp, 8);
      ssize_t w = write(src, frame, FRAME);
      (void)w;
      frames++;
      next_frame = t0 + frames * FRAME_NS;
    }
    /* ramp */
    int64_t due = ramp > 0 ? (t - t0) / (1000000000L / ramp) + 1 : n;
    while (opened < n && opened < due) {
      int fd = connect_to(host, port);
      c[opened].fd = fd;
      c[opened].last_rx_ns = t;
      if (fd < 0) {
        refused++;
        c[opened].closed = 1;
      } else {
        struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = (uint32_t)opened};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
      }
      opened++;
    }
    if (opened == n && ramp_done < 0) {
      ramp_done = t;
      measure_start = t + 2000000000L; /* settle for 2 s */
      end = measure_start + (int64_t)seconds * 1000000000L;
    }
    if (!measuring && measure_start > 0 && t >= measure_start) {
      measuring = 1;
      for (int i = 0; i < n; i++) c[i].bytes_at_start = c[i].bytes;
      nlat = 0;
    }
    if (end > 0 && t >= end) break;
    int64_t wait_ns = next_frame - now_ns();
    int timeout = wait_ns > 0 ? (int)(wait_ns / 1000000L) : 0;
    int k = epoll_wait(ep, evs, 1024, timeout);
    for (int j = 0; j < k; j++) {
      conn_t *x = &c[evs[j].data.u32];
      if (x->closed) continue;
      if (!x->connected && (evs[j].events & EPOLLOUT)) {
        x->connected = 1;
        if (write(x->fd, get, gl) != gl) { x->closed = 1; refused++; close(x->fd); continue; }
        struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = evs[j].data.u32};
        epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &e);
      }
      if (evs[j].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          ssize_t r = read(x->fd, buf, sizeof buf);
          if (r > 0) {
            int64_t rx = now_ns();
            x->bytes += r;
            x->last_rx_ns = rx;
            uint8_t *p = buf;
            size_t len = r;
            if (!x->head_done) {
              uint8_t *h = memmem(buf, r, "\r\n\r\n", 4);
              if (!h) continue;
              if (memcmp(buf, "HTTP/1.0 200", 12) != 0 && memcmp(buf, "HTTP/1.1 200", 12) != 0 && memcmp(buf, "ICY 200", 7) != 0) {
                x->closed = 1; refused++; close(x->fd); break;
              }
              x->head_done = 1;
              p = h + 4;
              len = r - (p - buf);
            }
            /* markers: scan one listener in 16 (timing is the same for all; scanning costs CPU) */
            if ((evs[j].data.u32 & 15) == 0 && measure_start > 0 && rx >= measure_start) {
              uint8_t *s = p;
              size_t left = len;
              while (left >= 16) {
                uint8_t *m = memmem(s, left, MAGIC, 8);
                if (!m || (size_t)(m - s) + 16 > left) break;
                int64_t stamp;
                memcpy(&stamp, m + 8, 8);
                /* only markers written after this read started to lag: skip the burst */
                if (stamp >= measure_start - 1000000000L && nlat < 2000000) lat[nlat++] = (rx - stamp) / 1e6;
                left -= (m - s) + 16;
                s = m + 16;
              }
            }
            if (r < (ssize_t)sizeof buf) break;
          } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            x->closed = 1;
            close(x->fd);
            break;
          } else break;
        }
      }
    }
  }
  int64_t t_end = now_ns();
  double secs = (t_end - measure_start) / 1e9;
  double *rate = malloc(sizeof(double) * n);
  int nr = 0, stalled = 0, closed = 0;
  for (int i = 0; i < n; i++) {
    if (c[i].closed) { closed++; continue; }
    rate[nr++] = (c[i].bytes - c[i].bytes_at_start) * 8.0 / secs / 1000.0;
    if (t_end - c[i].last_rx_ns > 2000000000L) stalled++;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  double p1 = pct(rate, nr, 0.01), p50 = pct(rate, nr, 0.5);
  double l50 = pct(lat, nlat, 0.5), l99 = pct(lat, nlat, 0.99);
  printf("{\"listeners\":%d,\"connected\":%d,\"refused\":%d,\"closed\":%d,\"stalled\":%d,\"kbps_p1\":%.1f,\"kbps_p50\":%.1f,\"latency_p50_ms\":%.1f,\"latency_p99_ms\":%.1f,\"latency_samples\":%d,\"loadgen_cpu_s\":%.2f,\"seconds\":%.1f}\n",
         n, nr, refused, closed - refused, stalled, p1, p50, l50, l99, nlat, cpu, (t_end - t0) / 1e9);
  return 0;
}
