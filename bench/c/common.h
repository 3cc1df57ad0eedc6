/* Shared helpers of the C benchmark drivers: clocks, medians, JSON output, RSS, the client
 * for the sandbox, and its reset between phases (through the C tests' control API client,
 * tests/c/sandbox_control.h). */
#ifndef ALPHAPO_BENCH_COMMON_H
#define ALPHAPO_BENCH_COMMON_H

#define _GNU_SOURCE
#include <alphapo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tests/c/sandbox_control.h"

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

/* POST /_sandbox/reset to the sandbox at `base` (http://127.0.0.1:PORT/api/v2), or exit. */
__attribute__((unused)) static void sandbox_reset(const char *base) {
    int status = sandbox_control_at(sandbox_port_of(base), "POST", "reset", "{}", NULL);
    if (status < 200 || status > 299) die("POST /_sandbox/reset failed");
}

/* A client for the sandbox at `base` with KEY and SECRET, or exit. */
__attribute__((unused)) static alphapo_client *sandbox_client(const char *base, const char *key,
                                                              const char *secret) {
    alphapo_client_builder *b = NULL;
    alphapo_client *client = NULL;
    alphapo_error *err = NULL;
    if (alphapo_client_builder_new(key, (const uint8_t *)secret, strlen(secret), &b, &err) != ALPHAPO_STATUS_OK ||
        alphapo_client_builder_set_base_url(b, base, false, &err) != ALPHAPO_STATUS_OK ||
        alphapo_client_builder_build(b, &client, &err) != ALPHAPO_STATUS_OK)
        die(alphapo_error_message(err));
    return client;
}

#endif
