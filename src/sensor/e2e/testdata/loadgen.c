/*
 * Load generator for the sensor's end-to-end tests and bench/sensor.sh.
 *
 *   loadgen listen SECONDS
 *       TCP listener on 127.0.0.1 (random port, printed as the first line),
 *       accepts and closes connections; exits after SECONDS.
 *   loadgen exec RATE SECONDS PROGRAM
 *       posix_spawn()s PROGRAM RATE times a second for SECONDS, each with
 *       argv = {PROGRAM, "mamori-load", <CLOCK_REALTIME ns at the spawn>}.
 *   loadgen connect RATE SECONDS PORT
 *       RATE loopback TCP connect()s a second to 127.0.0.1:PORT for SECONDS;
 *       each socket is closed with SO_LINGER 0 (RST: no TIME_WAIT, so the
 *       ephemeral ports never run out).
 *   loadgen udp RATE SECONDS PORT
 *       RATE sendto()s a second of one byte from one UDP socket to
 *       127.0.0.1:PORT (nothing needs to listen): the cheapest event the
 *       sensor reports, one perf record each, for throughput runs.
 *
 * Open loop: call i is due at start + i / RATE; a late generator catches up
 * (it never sleeps while behind). exec, connect and udp print one JSON line:
 * {"mode":…, "rate":…, "produced":N, "failed":F, "seconds":S, "cpu":C} where
 * C is the generator's own CPU seconds (user + system: BPF programs attached
 * to its syscalls run in its context and count here), and
 * produced counts the calls the kernel saw: successful spawns (the exec
 * happened) and every connect() or sendto() call, whatever its result (the
 * sensor reports both at syscall entry).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long positive(const char *s, long max) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > max) {
    fprintf(stderr, "loadgen: bad number '%s' (1..%ld)\n", s, max);
    exit(2);
  }
  return v;
}

/* CPU seconds (user + system) this process used so far. */
static double cpu_self(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         (double)ru.ru_stime.tv_usec / 1e6;
}

/* Sleeps until call `done` is due; returns 0 once the run is over. */
static int pace(double start, double rate, double seconds, long done) {
  double due = start + (double)done / rate;
  if (due >= start + seconds) return 0;
  double wait = due - now_mono();
  if (wait > 0) {
    struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
    nanosleep(&ts, NULL);
  }
  return 1;
}

static int do_listen(long seconds) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4096) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    perror("loadgen listen");
    return 1;
  }
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  alarm((unsigned)seconds);
  for (;;) {
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (c >= 0) close(c);
  }
}

static int do_exec(double rate, double seconds, const char *prog) {
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  long produced = 0, failed = 0;
  char stamp[32];
  char *argv[] = {(char *)prog, "mamori-load", stamp, NULL};
  double start = now_mono();
  while (pace(start, rate, seconds, produced + failed)) {
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    snprintf(stamp, sizeof stamp, "%lld", (long long)rt.tv_sec * 1000000000LL + rt.tv_nsec);
    pid_t pid;
    if (posix_spawn(&pid, prog, NULL, NULL, argv, environ) == 0)
      produced++;
    else
      failed++;
  }
  printf("{\"mode\":\"exec\",\"rate\":%.0f,\"produced\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"cpu\":%.3f}\n",
         rate, produced, failed, now_mono() - start, cpu_self());
  return 0;
}

static int do_connect(double rate, double seconds, int port) {
  long produced = 0, failed = 0;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct linger lg = {1, 0};
  double start = now_mono();
  while (pace(start, rate, seconds, produced + failed)) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      failed++;
      continue;
    }
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    connect(fd, (struct sockaddr *)&a, sizeof a);
    produced++;
    close(fd);
  }
  printf("{\"mode\":\"connect\",\"rate\":%.0f,\"produced\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"cpu\":%.3f}\n",
         rate, produced, failed, now_mono() - start, cpu_self());
  return 0;
}

static int do_udp(double rate, double seconds, int port) {
  long produced = 0, failed = 0;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    perror("loadgen udp");
    return 1;
  }
  double start = now_mono();
  while (pace(start, rate, seconds, produced + failed)) {
    sendto(fd, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&a, sizeof a);
    produced++;
  }
  printf("{\"mode\":\"udp\",\"rate\":%.0f,\"produced\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"cpu\":%.3f}\n",
         rate, produced, failed, now_mono() - start, cpu_self());
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 3 && strcmp(argv[1], "listen") == 0) return do_listen(positive(argv[2], 3600));
  if (argc == 5 && strcmp(argv[1], "exec") == 0)
    return do_exec((double)positive(argv[2], 1000000), (double)positive(argv[3], 3600), argv[4]);
  if (argc == 5 && strcmp(argv[1], "connect") == 0)
    return do_connect((double)positive(argv[2], 1000000), (double)positive(argv[3], 3600),
                      (int)positive(argv[4], 65535));
  if (argc == 5 && strcmp(argv[1], "udp") == 0)
    return do_udp((double)positive(argv[2], 10000000), (double)positive(argv[3], 3600),
                  (int)positive(argv[4], 65535));
  fprintf(stderr,
          "usage: loadgen listen SECONDS | exec RATE SECONDS PROGRAM | connect RATE SECONDS PORT"
          " | udp RATE SECONDS PORT\n");
  return 2;
}
