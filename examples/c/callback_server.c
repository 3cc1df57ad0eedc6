/* A minimal callback endpoint in C: verifies each callback over the raw body bytes with
 * libalphapo, answers 200 only when it verified and was processed, 401 otherwise (so the
 * service retries), and deduplicates deliveries by their dedupe key.
 *
 *   ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret ./callback_server [--until-confirmed]
 *
 * It listens on 127.0.0.1 (an ephemeral port unless ALPHAPO_CALLBACK_PORT is set) and
 * prints "listening on http://127.0.0.1:PORT/callback". With --until-confirmed it exits 0
 * after the first verified callback whose status is "confirmed". A real deployment sits
 * behind a web server; this file shows what to do with the bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alphapo.h"

#define MAX_REQUEST (1024 * 1024)
#define MAX_SEEN 256

static char seen[MAX_SEEN][64];
static int seen_count = 0;

/* The value of header `name` in the header block, copied into out. */
static int header(const char *headers, const char *name, char *out, size_t out_len) {
    size_t n = strlen(name);
    for (const char *line = headers; line && *line; line = strstr(line, "\r\n")) {
        if (line[0] == '\r') line += 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ') v++;
            size_t len = strcspn(v, "\r\n");
            if (len >= out_len) return 0;
            memcpy(out, v, len);
            out[len] = '\0';
            return 1;
        }
    }
    return 0;
}

static void reply(int fd, int code, const char *text) {
    char buf[256];
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", code,
                     text);
    if (write(fd, buf, (size_t)n) < 0) perror("write");
}

/* Reads one request; returns the body length, or -1. */
static long read_request(int fd, char *buf, size_t cap, size_t *header_len) {
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        if (got >= cap - 1) return -1;
        ssize_t r = read(fd, buf + got, cap - 1 - got);
        if (r <= 0) return -1;
        got += (size_t)r;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    *header_len = (size_t)(end - buf) + 4;
    char value[32];
    if (!header(buf, "Content-Length", value, sizeof value)) return -1;
    long body_len = strtol(value, NULL, 10);
    if (body_len < 0 || *header_len + (size_t)body_len >= cap) return -1;
    while (got < *header_len + (size_t)body_len) {
        ssize_t r = read(fd, buf + got, cap - 1 - got);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return body_len;
}

int main(int argc, char **argv) {
    int until_confirmed = argc > 1 && strcmp(argv[1], "--until-confirmed") == 0;
    const char *key = getenv("ALPHAPO_KEY");
    const char *secret = getenv("ALPHAPO_SECRET");
    if (!key || !secret) {
        fprintf(stderr, "set ALPHAPO_KEY and ALPHAPO_SECRET\n");
        return 2;
    }
    alphapo_signer *signer = NULL;
    if (alphapo_signer_new((const uint8_t *)secret, strlen(secret), &signer) != ALPHAPO_STATUS_OK) {
        return 2;
    }

    int srv = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)(getenv("ALPHAPO_CALLBACK_PORT") ? atoi(getenv("ALPHAPO_CALLBACK_PORT")) : 0));
    socklen_t alen = sizeof addr;
    if (bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(srv, 16) != 0 ||
        getsockname(srv, (struct sockaddr *)&addr, &alen) != 0) {
        perror("listen");
        return 2;
    }
    printf("listening on http://127.0.0.1:%d/callback\n", ntohs(addr.sin_port));
    fflush(stdout);

    char *buf = malloc(MAX_REQUEST);
    int exit_code = 1;
    for (;;) {
        int fd = accept(srv, NULL, NULL);
        if (fd < 0) break;
        size_t header_len = 0;
        long body_len = read_request(fd, buf, MAX_REQUEST, &header_len);
        char signature[200] = "", key_header[200] = "";
        if (body_len < 0 || !header(buf, "X-Processing-Signature", signature, sizeof signature)) {
            reply(fd, 400, "Bad Request");
            close(fd);
            continue;
        }
        int has_key = header(buf, "X-Processing-Key", key_header, sizeof key_header);
        const uint8_t *body = (const uint8_t *)buf + header_len;

        alphapo_callback *cb = NULL;
        alphapo_error *err = NULL;
        alphapo_status st =
            alphapo_callback_parse(signer, body, (size_t)body_len, signature, strlen(signature),
                                   has_key ? key_header : NULL, key, &cb, &err);
        if (st != ALPHAPO_STATUS_OK) {
            printf("refused: %s\n", alphapo_error_message(err));
            fflush(stdout);
            alphapo_error_free(err);
            reply(fd, 401, "Unauthorized");
            close(fd);
            continue;
        }
        const char *dedupe = alphapo_callback_dedupe_key(cb);
        int duplicate = 0;
        for (int i = 0; i < seen_count; i++) duplicate |= strcmp(seen[i], dedupe) == 0;
        if (!duplicate && seen_count < MAX_SEEN) {
            snprintf(seen[seen_count++], sizeof seen[0], "%s", dedupe);
            /* Process here (store it, credit the order on "confirmed"), then answer 200. */
        }
        const char *status = alphapo_callback_get(cb, "status");
        printf("verified %s callback %s: status %s, foreign_id %s, amount %s%s\n",
               alphapo_callback_get(cb, "type"), alphapo_callback_get(cb, "id"), status,
               alphapo_callback_get(cb, "foreign_id") ? alphapo_callback_get(cb, "foreign_id") : "-",
               alphapo_callback_get(cb, "currency_received.amount")
                   ? alphapo_callback_get(cb, "currency_received.amount") : "-",
               duplicate ? " (duplicate)" : "");
        fflush(stdout);
        reply(fd, 200, "OK");
        close(fd);
        int confirmed = status && strcmp(status, "confirmed") == 0;
        alphapo_callback_free(cb);
        if (until_confirmed && confirmed) {
            exit_code = 0;
            break;
        }
    }
    free(buf);
    close(srv);
    alphapo_signer_free(signer);
    return exit_code;
}
