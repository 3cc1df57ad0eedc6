/* create_invoice from C on the loopback sandbox: one client (keep-alive connection pool),
 * one thread: invoices/s and latency percentiles; then 1, 2, 4, 8 threads sharing that
 * one client: invoices/s and errors.
 *
 *   client BASE_URL KEY SECRET single SECONDS
 *   client BASE_URL KEY SECRET threads SECONDS N[,N...]
 *
 * The sandbox is reset (POST /_sandbox/reset) before each measured phase, so its object
 * cap is never reached. One JSON object per figure on stdout. */
#include "common.h"

#include <alphapo.h>
#include <pthread.h>

#define MAX_THREADS 64

static alphapo_client *client;
static const char *base_url;

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

static void single(double seconds) {
    sandbox_reset(base_url);
    for (long i = 0; i < 500; i++)
        if (create_invoice("warm", i) != 0) die("warm-up invoice failed");
    size_t cap = 1 << 20, n = 0;
    double *lat = malloc(cap * sizeof *lat);
    if (!lat) die("out of memory");
    long errors = 0;
    double start = now_ns(), deadline = start + seconds * 1e9, t = start;
    while (t < deadline && n < cap) {
        double t0 = t;
        if (create_invoice("single", (long)n) != 0) errors++;
        t = now_ns();
        lat[n++] = (t - t0) / 1e3;
    }
    double elapsed = (t - start) / 1e9;
    qsort(lat, n, sizeof *lat, cmp_double);
    fprintf(stderr, "C, 1 thread: %.0f invoices/s, p50 %.1f us, p99 %.1f us, %ld errors\n",
            (double)n / elapsed, percentile_sorted(lat, n, 50), percentile_sorted(lat, n, 99), errors);
    emit("c.inv.ips", (double)(n - (size_t)errors) / elapsed, "invoices/s");
    emit("c.inv.p50_us", percentile_sorted(lat, n, 50), "us");
    emit("c.inv.p99_us", percentile_sorted(lat, n, 99), "us");
    emit("c.inv.errors", (double)errors, "");
    free(lat);
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
    alphapo_client_builder *b = NULL;
    alphapo_error *err = NULL;
    if (alphapo_client_builder_new(argv[2], (const uint8_t *)argv[3], strlen(argv[3]), &b, &err) != ALPHAPO_STATUS_OK ||
        alphapo_client_builder_set_base_url(b, base_url, false, &err) != ALPHAPO_STATUS_OK ||
        alphapo_client_builder_build(b, &client, &err) != ALPHAPO_STATUS_OK)
        die(alphapo_error_message(err));
    double seconds = atof(argv[5]);
    if (strcmp(argv[4], "single") == 0)
        single(seconds);
    else if (strcmp(argv[4], "threads") == 0 && argc > 6)
        threads(seconds, argv[6]);
    else
        die("unknown mode");
    alphapo_client_free(client);
    return 0;
}
