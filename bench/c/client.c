/* create_invoice from C on the loopback sandbox: one client (keep-alive connection pool),
 * one thread, alternating in 7 rounds with the floor (a raw keep-alive socket writing
 * requests built and signed before the clock starts): invoices/s and latency percentiles
 * of both; 1, 2, 4, 8 threads sharing that one client: invoices/s and errors; the floor
 * alone (NAME_ips).
 *
 *   client BASE_URL KEY SECRET single SECONDS
 *   client BASE_URL KEY SECRET threads SECONDS N[,N...]
 *   client BASE_URL KEY SECRET floor SECONDS NAME
 *
 * The sandbox is reset (POST /_sandbox/reset) before each phase and every 40 000 invoices,
 * so its object cap is never reached. One JSON object per figure on stdout. */
#include "common.h"

#include <alphapo.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>

#define MAX_THREADS 64
/* The sandbox refuses new objects past 100 000 (503 until reset): reset every this many. */
#define RESET_EVERY 40000

static alphapo_client *client;
static const char *base_url;
static atomic_long made;

/* Counts an invoice about to be made; resets the sandbox every RESET_EVERY of them.
 * Returns the time spent resetting, in ns (left out of the measurement). */
static double count_invoice(void) {
    long n = atomic_fetch_add(&made, 1) + 1;
    if (n % RESET_EVERY != 0) return 0;
    double t0 = now_ns();
    sandbox_reset(base_url);
    return now_ns() - t0;
}

/* One invoice, the same fields as every other client of the benchmark; 0 on success. */
static int create_invoice(const char *prefix, long n) {
    char json[512];
    snprintf(json, sizeof json,
             "{\"timer\":false,\"title\":\"Order 1001\",\"currency\":\"EUR\",\"amount\":\"106.75\","
             "\"foreign_id\":\"%s-%ld\",\"end_user_reference\":\"customer-42\","
             "\"url_success\":\"https://shop.example.com/paid\","
             "\"url_failed\":\"https://shop.example.com/failed\"}",
             prefix, n);
    alphapo_response *inv = NULL;
    alphapo_error *err = NULL;
    alphapo_status st = alphapo_client_call(client, ALPHAPO_OPERATION_INVOICES_CREATE, json, &inv, &err);
    if (st != ALPHAPO_STATUS_OK) {
        fprintf(stderr, "create_invoice: %s: %s\n", alphapo_status_name(st), alphapo_error_message(err));
        alphapo_error_free(err);
        return -1;
    }
    const char *url = alphapo_response_get(inv, "url");
    int ok = url != NULL && url[0] != 0;
    alphapo_response_free(inv);
    return ok ? 0 : -1;
}

/* ---- the floor: a raw keep-alive socket writing presigned requests ------------------- */

struct raw {
    int fd;
    char host[64];
    char path[128];
    char buf[65536];
    size_t have;
};

static void raw_connect(struct raw *r) {
    int port = 0;
    char path[96] = "";
    if (sscanf(base_url, "http://127.0.0.1:%d%95s", &port, path) != 2) die("base URL must be http://127.0.0.1:PORT/...");
    snprintf(r->host, sizeof r->host, "127.0.0.1:%d", port);
    snprintf(r->path, sizeof r->path, "%s/invoices/create", path);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("raw connect failed");
    int one = 1;
    setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    r->have = 0;
}

/* n requests with the library's exact bytes, signed before the clock starts. */
static char **raw_prebuild(struct raw *r, alphapo_signer *signer, const char *key, const char *prefix,
                           long n, size_t **lens) {
    char **reqs = malloc((size_t)n * sizeof *reqs);
    *lens = malloc((size_t)n * sizeof **lens);
    if (!reqs || !*lens) die("out of memory");
    for (long i = 0; i < n; i++) {
        char body[512], sig[129], req[1536];
        int blen = snprintf(body, sizeof body,
                            "{\"timer\":false,\"title\":\"Order 1001\",\"currency\":\"EUR\",\"amount\":106.75,"
                            "\"foreign_id\":\"%s-%ld\",\"end_user_reference\":\"customer-42\","
                            "\"url_success\":\"https://shop.example.com/paid\","
                            "\"url_failed\":\"https://shop.example.com/failed\"}",
                            prefix, i);
        if (alphapo_signer_sign(signer, (const uint8_t *)body, (size_t)blen, sig, sizeof sig) != ALPHAPO_STATUS_OK)
            die("sign failed");
        int len = snprintf(req, sizeof req,
                           "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                           "X-Processing-Key: %s\r\nX-Processing-Signature: %s\r\nContent-Length: %d\r\n\r\n%s",
                           r->path, r->host, key, sig, blen, body);
        reqs[i] = malloc((size_t)len);
        if (!reqs[i]) die("out of memory");
        memcpy(reqs[i], req, (size_t)len);
        (*lens)[i] = (size_t)len;
    }
    return reqs;
}

/* Writes one request, reads its reply (status and Content-Length only); 0 on a 200. */
static int raw_send(struct raw *r, const char *req, size_t len) {
    if (write(r->fd, req, len) != (ssize_t)len) return -1;
    for (;;) {
        r->buf[r->have] = 0;
        char *end = r->have >= 4 ? strstr(r->buf, "\r\n\r\n") : NULL;
        if (end) {
            size_t head = (size_t)(end - r->buf) + 4, body = 0;
            for (char *line = strstr(r->buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
                if (strncasecmp(line + 2, "content-length:", 15) == 0) body = strtoul(line + 17, NULL, 10);
            if (r->have >= head + body) {
                int ok = strncmp(r->buf + 9, "200", 3) == 0;
                memmove(r->buf, r->buf + head + body, r->have - head - body);
                r->have -= head + body;
                return ok ? 0 : -1;
            }
        }
        if (r->have + 1 >= sizeof r->buf) return -1;
        ssize_t got = read(r->fd, r->buf + r->have, sizeof r->buf - 1 - r->have);
        if (got <= 0) return -1;
        r->have += (size_t)got;
    }
}

/* The raw socket alone for `seconds` (prebuilt requests; stops early if they run out). */
static double raw_round(struct raw *r, char **reqs, size_t *lens, long count, double seconds,
                        double *lat, size_t *nlat) {
    long n = 0;
    double start = now_ns(), deadline = start + seconds * 1e9, t = start;
    while (t < deadline && n < count) {
        double t0 = t;
        if (raw_send(r, reqs[n], lens[n]) != 0) die("raw request failed");
        t = now_ns();
        if (lat) lat[(*nlat)++] = (t - t0) / 1e3;
        n++;
    }
    return (double)n / ((t - start) / 1e9);
}

static void free_reqs(char **reqs, size_t *lens, long n) {
    for (long i = 0; i < n; i++) free(reqs[i]);
    free(reqs);
    free(lens);
}

/* The library alone for `seconds`: invoices/s; latencies appended to lat. */
static double lib_round(const char *prefix, double seconds, double *lat, size_t *nlat, size_t cap,
                        long *errors) {
    long n = 0;
    double paused = 0;
    double start = now_ns(), deadline = start + seconds * 1e9, t = start;
    while (t - paused < deadline && *nlat < cap) {
        double reset_ns = count_invoice();
        paused += reset_ns;
        double t0 = t + reset_ns;
        if (create_invoice(prefix, n) != 0)
            (*errors)++;
        else
            n++;
        t = now_ns();
        lat[(*nlat)++] = (t - t0) / 1e3;
    }
    return (double)n / ((t - start - paused) / 1e9);
}

/* Library and raw socket in alternating rounds: invoices/s, latencies, the ratio. */
static void single(double seconds, const char *key, const char *secret) {
    alphapo_signer *signer = NULL;
    if (alphapo_signer_new((const uint8_t *)secret, strlen(secret), &signer) != ALPHAPO_STATUS_OK) die("signer");
    struct raw *r = malloc(sizeof *r);
    if (!r) die("out of memory");
    raw_connect(r);
    sandbox_reset(base_url);
    atomic_store(&made, 0);
    for (long i = 0; i < 500; i++)
        if (create_invoice("warm", i) != 0) die("warm-up invoice failed");
    size_t *lens;
    char **reqs = raw_prebuild(r, signer, key, "warm-raw", 500, &lens);
    raw_round(r, reqs, lens, 500, 60, NULL, NULL);
    free_reqs(reqs, lens, 500);

    enum { ROUNDS = 7 };
    double round_s = seconds / ROUNDS;
    size_t cap = 1 << 21, nlat = 0, nraw = 0;
    double *lat = malloc(cap * sizeof *lat), *raw_lat = malloc(cap * sizeof *raw_lat);
    if (!lat || !raw_lat) die("out of memory");
    double lib_ips[ROUNDS], raw_ips[ROUNDS], ratio[ROUNDS];
    long errors = 0, per_round = (long)(60000 * round_s) + 1000;
    for (int k = 0; k < ROUNDS; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "raw-%d", k);
        reqs = raw_prebuild(r, signer, key, prefix, per_round, &lens);
        for (int j = 0; j < 2; j++) {
            int lib_turn = (k + j) % 2 == 0;
            sandbox_reset(base_url);
            atomic_store(&made, 0);
            if (lib_turn) {
                snprintf(prefix, sizeof prefix, "lib-%d", k);
                lib_ips[k] = lib_round(prefix, round_s, lat, &nlat, cap, &errors);
            } else {
                raw_ips[k] = raw_round(r, reqs, lens, per_round, round_s, raw_lat, &nraw);
            }
        }
        free_reqs(reqs, lens, per_round);
        ratio[k] = lib_ips[k] / raw_ips[k];
        if (getenv("BENCH_VERBOSE")) fprintf(stderr, "  round %d: library %.0f/s, raw %.0f/s\n", k, lib_ips[k], raw_ips[k]);
    }
    qsort(lat, nlat, sizeof *lat, cmp_double);
    qsort(raw_lat, nraw, sizeof *raw_lat, cmp_double);
    double lib_m = median(lib_ips, ROUNDS), raw_m = median(raw_ips, ROUNDS);
    fprintf(stderr, "C library: %.0f invoices/s, p50 %.1f us, p99 %.1f us, %ld errors\n", lib_m,
            percentile_sorted(lat, nlat, 50), percentile_sorted(lat, nlat, 99), errors);
    fprintf(stderr, "C raw    : %.0f invoices/s, p50 %.1f us, p99 %.1f us\n", raw_m,
            percentile_sorted(raw_lat, nraw, 50), percentile_sorted(raw_lat, nraw, 99));
    emit("c.inv.ips", lib_m, "invoices/s");
    emit("c.inv.p50_us", percentile_sorted(lat, nlat, 50), "us");
    emit("c.inv.p99_us", percentile_sorted(lat, nlat, 99), "us");
    emit("c.inv.errors", (double)errors, "");
    emit("c.inv.raw_ips", raw_m, "invoices/s");
    emit("c.inv.raw_p50_us", percentile_sorted(raw_lat, nraw, 50), "us");
    emit("c.inv.raw_p99_us", percentile_sorted(raw_lat, nraw, 99), "us");
    emit("c.inv.raw_ratio", median(ratio, ROUNDS), "x");
    free(lat);
    free(raw_lat);
    close(r->fd);
    free(r);
    alphapo_signer_free(signer);
}

/* The raw socket alone (presigned requests) for `seconds`: the floor, one figure. */
static void floor_only(double seconds, const char *key, const char *secret, const char *name) {
    alphapo_signer *signer = NULL;
    if (alphapo_signer_new((const uint8_t *)secret, strlen(secret), &signer) != ALPHAPO_STATUS_OK) die("signer");
    struct raw *r = malloc(sizeof *r);
    if (!r) die("out of memory");
    raw_connect(r);
    long count = (long)(60000 * seconds) + 1000;
    size_t *lens;
    char **reqs = raw_prebuild(r, signer, key, name, count, &lens);
    sandbox_reset(base_url);
    raw_round(r, reqs, lens, 300, 60, NULL, NULL); /* warm-up */
    double ips = raw_round(r, reqs + 300, lens + 300, count - 300, seconds, NULL, NULL);
    fprintf(stderr, "C raw socket (%s): %.0f invoices/s\n", name, ips);
    char key_name[64];
    snprintf(key_name, sizeof key_name, "%s_ips", name);
    emit(key_name, ips, "invoices/s");
    free_reqs(reqs, lens, count);
    close(r->fd);
    free(r);
    alphapo_signer_free(signer);
}

struct worker {
    pthread_t thread;
    int id;
    double deadline;
    long done;
    long errors;
};

static void *work(void *arg) {
    struct worker *w = arg;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t%d", w->id);
    while (now_ns() < w->deadline) {
        count_invoice(); /* a reset takes about a millisecond: not worth subtracting */
        if (create_invoice(prefix, w->done + w->errors) == 0)
            w->done++;
        else
            w->errors++;
    }
    return NULL;
}

static void threads(double seconds, const char *list) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int n = atoi(tok);
        if (n < 1 || n > MAX_THREADS) die("bad thread count");
        sandbox_reset(base_url);
        atomic_store(&made, 0);
        struct worker w[MAX_THREADS];
        double start = now_ns();
        for (int i = 0; i < n; i++) {
            w[i] = (struct worker){.id = i, .deadline = start + seconds * 1e9};
            if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) die("pthread_create failed");
        }
        long done = 0, errors = 0;
        for (int i = 0; i < n; i++) {
            pthread_join(w[i].thread, NULL);
            done += w[i].done;
            errors += w[i].errors;
        }
        double elapsed = (now_ns() - start) / 1e9;
        fprintf(stderr, "C, %d threads, one client: %.0f invoices/s, %ld errors\n", n, (double)done / elapsed, errors);
        char key[64];
        snprintf(key, sizeof key, "c.threads.%d.ips", n);
        emit(key, (double)done / elapsed, "invoices/s");
        snprintf(key, sizeof key, "c.threads.%d.errors", n);
        emit(key, (double)errors, "");
    }
}

int main(int argc, char **argv) {
    if (argc < 6) die("usage: client BASE_URL KEY SECRET single|threads SECONDS [N,N...]");
    base_url = argv[1];
    client = sandbox_client(base_url, argv[2], argv[3]);
    double seconds = atof(argv[5]);
    if (strcmp(argv[4], "single") == 0)
        single(seconds, argv[2], argv[3]);
    else if (strcmp(argv[4], "threads") == 0 && argc > 6)
        threads(seconds, argv[6]);
    else if (strcmp(argv[4], "floor") == 0 && argc > 6)
        floor_only(seconds, argv[2], argv[3], argv[6]);
    else
        die("unknown mode");
    alphapo_client_free(client);
    return 0;
}
