/* A tiny HTTP/1.1 client for the sandbox's control API (/_sandbox/...), for the C tests
 * that arm faults and read the sandbox's request counters, and for the C benchmarks
 * (bench/c/common.h) that reset it. Plain sockets, loopback only, one request per
 * connection (Connection: close). In the tests the sandbox is the one tests/c/run.sh
 * started: its base URL is $ALPHAPO_BASE_URL (http://127.0.0.1:<port>/api/v2).
 *
 * Include after defining _POSIX_C_SOURCE 200112L (or later). */
#ifndef ALPHAPO_TEST_SANDBOX_CONTROL_H
#define ALPHAPO_TEST_SANDBOX_CONTROL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The port of a sandbox base URL (http://127.0.0.1:<port>/api/v2), or 0. */
static inline int sandbox_port_of(const char *base) {
    const char *p = base ? strstr(base, "127.0.0.1:") : NULL;
    return p ? atoi(p + strlen("127.0.0.1:")) : 0;
}

/* The port of $ALPHAPO_BASE_URL, or 0. */
static inline int sandbox_port(void) { return sandbox_port_of(getenv("ALPHAPO_BASE_URL")); }

/* METHOD /_sandbox/<path> with an optional JSON body, to the sandbox on 127.0.0.1:<port>.
 * Returns the HTTP status (-1 when the sandbox cannot be reached); *body_out (when not
 * NULL) receives the malloc'd response body, NUL-terminated, for the caller to free. */
static inline int sandbox_control_at(int port, const char *method, const char *path,
                                     const char *json, char **body_out) {
    if (body_out) *body_out = NULL;
    if (port <= 0) return -1;
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
    size_t body_len = json ? strlen(json) : 0;
    size_t head_cap = 256 + strlen(method) + strlen(path);
    char *req = malloc(head_cap + body_len);
    if (!req) {
        close(fd);
        return -1;
    }
    int n = snprintf(req, head_cap,
                     "%s /_sandbox/%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                     "Content-Type: application/json\r\nContent-Length: %lu\r\n"
                     "Connection: close\r\n\r\n",
                     method, path, port, (unsigned long)body_len);
    if (body_len) memcpy(req + n, json, body_len);
    size_t total = (size_t)n + body_len, sent = 0;
    while (sent < total) {
        ssize_t w = send(fd, req + sent, total - sent, 0);
        if (w <= 0) break;
        sent += (size_t)w;
    }
    free(req);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) break;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger) break;
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + len, cap - len, 0);
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    if (!buf) return -1;
    buf[len] = '\0';
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) status = -1;
    char *body = strstr(buf, "\r\n\r\n");
    if (body_out && body) {
        size_t blen = len - (size_t)(body + 4 - buf);
        *body_out = malloc(blen + 1);
        if (*body_out) {
            memcpy(*body_out, body + 4, blen);
            (*body_out)[blen] = '\0';
        }
    }
    free(buf);
    return status;
}

/* sandbox_control_at() on the sandbox of $ALPHAPO_BASE_URL (the one tests/c/run.sh started). */
static inline int sandbox_control(const char *method, const char *path, const char *json,
                                  char **body_out) {
    return sandbox_control_at(sandbox_port(), method, path, json, body_out);
}

/* The number after `"key":` at or after `from` in `json` (the first match), or -1. */
static inline long json_number_after(const char *json, const char *from, const char *key) {
    const char *start = from ? strstr(json, from) : json;
    if (!start) return -1;
    char pattern[256];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *p = strstr(start, pattern);
    return p ? strtol(p + strlen(pattern), NULL, 10) : -1;
}

/* How many times `needle` occurs in `haystack`. */
static inline int count_occurrences(const char *haystack, const char *needle) {
    int n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* GET /_sandbox/state: requests.total (-1 on failure). */
static inline long sandbox_requests_total(void) {
    char *state = NULL;
    long total = -1;
    if (sandbox_control("GET", "state", NULL, &state) == 200 && state) {
        total = json_number_after(state, "\"requests\"", "total");
    }
    free(state);
    return total;
}

/* GET /_sandbox/state: requests.by_path[path] (0 when absent, -1 on failure). */
static inline long sandbox_requests_on(const char *path) {
    char *state = NULL;
    long n = -1;
    if (sandbox_control("GET", "state", NULL, &state) == 200 && state) {
        n = json_number_after(state, "\"by_path\"", path);
        if (n < 0) n = 0;
    }
    free(state);
    return n;
}

/* Milliseconds on a monotonic clock. */
static inline double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

#endif
