/* A minimal callback endpoint in C: verifies each callback over the raw body bytes with
 * libalphapo, answers 200 only when it verified and was processed, 401 otherwise (so the
 * service retries), processes each event once by its dedupe key (an instalment of a
 * partial-pay invoice is its own event), and fulfils an order only when the callback says
 * it is fully paid (alphapo_callback_is_fully_paid), never on "confirmed" alone.
 *
 *   ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret ./callback_server [--until-paid]
 *
 * It listens on 127.0.0.1 (an ephemeral port unless ALPHAPO_CALLBACK_PORT is set) and
 * prints "listening on http://127.0.0.1:PORT/callback". With --until-paid it exits 0 after
 * the first verified callback that is fully paid. The X-Processing-Key header is checked
 * when the service sends it (the current docs name only the signature header). A real
 * deployment sits behind a web server and keeps the seen keys in its database; this file
 * shows what to do with the bytes.
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

static char *seen[MAX_SEEN]; /* the dedupe keys processed, whole (a real shop: a table) */
static int seen_count = 0;

/* The text, or "-" for a field the callback does not have. */
static const char *or_dash(const char *text) { return text ? text : "-"; }

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
    int until_paid = argc > 1 && strcmp(argv[1], "--until-paid") == 0;
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
        int paid = alphapo_callback_is_fully_paid(cb);
        if (!duplicate && seen_count < MAX_SEEN) {
            seen[seen_count++] = strdup(dedupe);
            /* Process the event here (store it); ship the order only when `paid`. */
        }
        printf("verified %s callback %s: status %s, foreign_id %s, amount %s, key %s%s%s\n",
               or_dash(alphapo_callback_get(cb, "type")),
               /* payment-request callbacks have no root id: their request's id instead */
               or_dash(alphapo_callback_get(cb, "id") ? alphapo_callback_get(cb, "id")
                                                       : alphapo_callback_get(cb, "payment_request_id")),
               or_dash(alphapo_callback_get(cb, "status")),
               or_dash(alphapo_callback_get(cb, "foreign_id")),
               or_dash(alphapo_callback_get(cb, "currency_received.amount")
                           ? alphapo_callback_get(cb, "currency_received.amount")
                           : alphapo_callback_get(cb, "payment_request_amount.amount")),
               dedupe,
               paid ? " (fully paid)" : "", duplicate ? " (duplicate)" : "");
        fflush(stdout);
        reply(fd, 200, "OK");
        close(fd);
        alphapo_callback_free(cb);
        if (until_paid && paid) {
            exit_code = 0;
            break;
        }
    }
    for (int i = 0; i < seen_count; i++) free(seen[i]);
    free(buf);
    close(srv);
    alphapo_signer_free(signer);
    return exit_code;
}
