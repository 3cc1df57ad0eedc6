/* Hostile replies and callbacks cost time and memory linear in their size: a 1 MiB reply
 * of half a million values under a 3 000-character key (refused before it is parsed), a
 * reply just under the value limit with its leaves looked up by path, and the same as a
 * callback. Each must take less than a second and less than 32 MiB of resident memory.
 * Run natively by tests/c/run.sh (timings and RSS mean nothing under valgrind); the
 * valgrind run covers the same code paths through test_bad_input and the fuzz targets. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "alphapo.h"
#include "check.h"

static long rss_bytes(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* {"data":{"<3000 k>":[1,1,…],"pad":"xxx…"}} of about `size` bytes with `values` ones. */
static char *hostile(size_t values, size_t size, size_t *len) {
    char *body = malloc(size + 8192);
    size_t n = 0;
    n += (size_t)sprintf(body + n, "{\"data\":{\"");
    for (int i = 0; i < 3000; i++) body[n++] = 'k';
    n += (size_t)sprintf(body + n, "\":[1");
    for (size_t i = 1; i < values; i++) {
        body[n++] = ',';
        body[n++] = '1';
    }
    n += (size_t)sprintf(body + n, "],\"pad\":\"");
    while (n < size) body[n++] = 'x';
    n += (size_t)sprintf(body + n, "\"}}");
    *len = n;
    return body;
}

static void measure(const char *what, size_t values, size_t size, alphapo_status want) {
    size_t len = 0;
    char *body = hostile(values, size, &len);
    long before = rss_bytes();
    double t = now();
    alphapo_response *r = NULL;
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_decode_reply(ALPHAPO_OPERATION_GENERIC, 200, (const uint8_t *)body, len,
                                      &r, &err),
                 want);
    char path[3100];
    memset(path, 'k', 3000);
    strcpy(path + 3000, ".0");
    if (r) {
        for (int i = 0; i < 1000; i++) CHECK(i > 0 || alphapo_response_get(r, path) != NULL);
        snprintf(path + 3000, 100, ".%zu", values - 1);
        CHECK_STR(alphapo_response_get(r, path), "1");
    }
    double elapsed = now() - t;
    long grown = rss_bytes() - before;
    printf("%s: %zu bytes, %zu values: %s in %.3f s, RSS +%.1f MiB\n", what, len, values,
           alphapo_status_name(want), elapsed, (double)grown / (1 << 20));
    CHECK(elapsed < 1.0);
    CHECK(grown < 32L << 20);
    alphapo_response_free(r);
    alphapo_error_free(err);

    /* The same document as a callback body (up to its 1 MiB cap). */
    alphapo_signer *signer = NULL;
    CHECK_STATUS(alphapo_signer_new((const uint8_t *)"s", 1, &signer), ALPHAPO_STATUS_OK);
    char sig[129];
    CHECK_STATUS(alphapo_sign((const uint8_t *)"s", 1, (const uint8_t *)body, len, sig, sizeof sig),
                 ALPHAPO_STATUS_OK);
    before = rss_bytes();
    t = now();
    alphapo_callback *cb = NULL;
    err = NULL;
    alphapo_status st = alphapo_callback_parse(signer, (const uint8_t *)body, len, sig, 128, NULL,
                                               NULL, &cb, &err);
    CHECK_STATUS(st, want);
    if (cb) CHECK(alphapo_callback_dedupe_key(cb) != NULL);
    elapsed = now() - t;
    grown = rss_bytes() - before;
    printf("%s as a callback: %s in %.3f s, RSS +%.1f MiB\n", what, alphapo_status_name(st),
           elapsed, (double)grown / (1 << 20));
    CHECK(elapsed < 1.0);
    CHECK(grown < 32L << 20);
    alphapo_callback_free(cb);
    alphapo_error_free(err);
    alphapo_signer_free(signer);
    free(body);
}

int main(void) {
    measure("1 MiB, half a million values", 500000, 1003100, ALPHAPO_STATUS_DECODE);
    measure("1 MiB, just under the value limit", 190000, 1000000, ALPHAPO_STATUS_OK);
    return checks_report("hostile_replies");
}
