/* Shared helpers of the C benchmark drivers: clocks, medians, JSON output, RSS, and a
 * minimal HTTP POST to the sandbox's control API (to reset its state between phases). */
#ifndef ALPHAPO_BENCH_COMMON_H
#define ALPHAPO_BENCH_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

__attribute__((unused)) static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n values (sorts them). */
__attribute__((unused)) static double median(double *v, size_t n) {
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The p-th percentile (0..100) of n sorted values, nearest rank. */
__attribute__((unused)) static double percentile_sorted(const double *v, size_t n, double p) {
    if (n == 0) return 0;
    size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return v[rank - 1];
}

__attribute__((unused)) static void emit(const char *key, double value, const char *unit) {
    printf("{\"key\":\"%s\",\"value\":%.3f,\"unit\":\"%s\"}\n", key, value, unit);
    fflush(stdout);
}

/* Resident set size in KiB, from /proc/self/status (VmRSS). */
__attribute__((unused)) static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

__attribute__((unused)) static void die(const char *what) {
    fprintf(stderr, "bench: %s\n", what);
    exit(1);
}

/* POST {} to http://127.0.0.1:PORT<path> (the sandbox control API); 0 on a 2xx reply.
 * `base` is the sandbox's base URL (http://127.0.0.1:PORT/api/v2). */
__attribute__((unused)) static int sandbox_post(const char *base, const char *path) {
    int port = 0;
    if (sscanf(base, "http://127.0.0.1:%d", &port) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                     "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
                     path, port);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    char reply[64] = {0};
    ssize_t got = read(fd, reply, sizeof reply - 1);
    close(fd);
    if (got < 12) return -1;
    return strncmp(reply + 9, "2", 1) == 0 ? 0 : -1;
}

__attribute__((unused)) static void sandbox_reset(const char *base) {
    if (sandbox_post(base, "/_sandbox/reset") != 0) die("POST /_sandbox/reset failed");
}

#endif
