/* Faults from C, against the sandbox of tests/c/run.sh (driven through its control API):
 * every fault mode comes back as its documented status and leaks nothing (valgrind,
 * ASan); a slow drip is a TIMEOUT within the configured timeout; a withdrawal whose
 * connection drops before or after the sandbox handled it is sent once and comes back as
 * OUTCOME_UNKNOWN, with its foreign_id and cause in the error object, and the reconcile
 * helper finds what happened; a short 429 is retried; a lost invoice reply is retried with
 * the same bytes; the generic call is never retried once sent; a refused connection
 * (nothing sent) is a TRANSPORT error. The sandbox counts every attempt per path: the
 * counts prove how many attempts were made. */
#define _POSIX_C_SOURCE 200112L
#include <stdlib.h>

#include "alphapo.h"
#include "check.h"
#include "sandbox_control.h"

static char run[48];
static const char *key, *secret, *base_url;

static alphapo_client *make_client(const char *url, uint32_t timeout_ms, uint32_t retries) {
    alphapo_client_builder *b = NULL;
    alphapo_client *c = NULL;
    CHECK_STATUS(alphapo_client_builder_new(key, (const uint8_t *)secret, strlen(secret), &b, NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_base_url(b, url, false, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_timeouts(b, timeout_ms, timeout_ms, NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_max_retries(b, retries, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_build(b, &c, NULL), ALPHAPO_STATUS_OK);
    return c;
}

static void arm(const char *mode, const char *path, const char *extra) {
    char json[256];
    snprintf(json, sizeof json, "{\"mode\":\"%s\",\"path\":\"%s\",\"count\":1%s}", mode, path,
             extra);
    int st = sandbox_control("POST", "faults", json, NULL);
    CHECK(st == 200);
    if (st != 200) fprintf(stderr, "arming %s on %s: HTTP %d\n", mode, path, st);
}

/* Runs one call, checks its status, frees everything; returns the elapsed milliseconds. */
static double expect_call(alphapo_client *c, uint32_t op, const char *json, alphapo_status want,
                          const char *what) {
    alphapo_response *r = NULL;
    alphapo_error *err = NULL;
    double t0 = now_ms();
    alphapo_status st = alphapo_client_call(c, op, json, &r, &err);
    double elapsed = now_ms() - t0;
    checks_run++;
    if (st != want) {
        checks_failed++;
        fprintf(stderr, "%s: %s (%s), expected %s\n", what, alphapo_status_name(st),
                err ? alphapo_error_message(err) : "", alphapo_status_name(want));
    }
    /* Every message goes to the output, which scripts/stress.sh searches for the secret and
     * for signatures. */
    printf("%s: %s%s%s\n", what, alphapo_status_name(st), err ? ": " : "",
           err ? alphapo_error_message(err) : "");
    CHECK((st == ALPHAPO_STATUS_OK) == (r != NULL));
    CHECK((st == ALPHAPO_STATUS_OK) == (err == NULL));
    alphapo_response_free(r);
    alphapo_error_free(err);
    return elapsed;
}

/* Every fault mode once, retries off: the documented status, nothing leaked. */
static void test_every_mode(void) {
    alphapo_client *c = make_client(base_url, 1000, 0);
    static const struct {
        const char *mode, *extra;
        alphapo_status want;
    } cases[] = {
        {"latency", ",\"ms\":3000", ALPHAPO_STATUS_TIMEOUT},
        {"http_500", "", ALPHAPO_STATUS_SERVER},
        {"http_502", "", ALPHAPO_STATUS_SERVER},
        {"drop_before", "", ALPHAPO_STATUS_TRANSPORT},
        {"drop_after", "", ALPHAPO_STATUS_TRANSPORT},
        {"truncated", "", ALPHAPO_STATUS_TRANSPORT},
        {"huge", ",\"bytes\":9437184", ALPHAPO_STATUS_DECODE},
        {"slow_drip", ",\"ms\":40", ALPHAPO_STATUS_TIMEOUT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        long before = sandbox_requests_on("/api/v2/accounts/list");
        arm(cases[i].mode, "/accounts/list", cases[i].extra);
        expect_call(c, ALPHAPO_OPERATION_ACCOUNTS_LIST, "{}", cases[i].want, cases[i].mode);
        CHECK(sandbox_requests_on("/api/v2/accounts/list") == before + 1);
    }
    /* The client is still healthy after every fault. */
    expect_call(c, ALPHAPO_OPERATION_ACCOUNTS_LIST, "{}", ALPHAPO_STATUS_OK, "after the faults");
    alphapo_client_free(c);
}

/* A reply that trickles in byte by byte never holds a call past its timeouts. The timeout
 * bounds each phase (sending, waiting for the head, reading the body) and the whole
 * attempt is capped at connect timeout + timeout; retries are off here. */
static void test_slow_drip_times_out_within_the_timeout(void) {
    const uint32_t timeout_ms = 1000;
    const double cap_ms = 2.0 * timeout_ms; /* connect timeout + timeout */
    alphapo_client *c = make_client(base_url, timeout_ms, 0);
    static const int drips[] = {30, 6, 2};
    for (size_t i = 0; i < sizeof drips / sizeof *drips; i++) {
        char extra[32];
        snprintf(extra, sizeof extra, ",\"ms\":%d", drips[i]);
        arm("slow_drip", "/accounts/list", extra);
        double elapsed = expect_call(c, ALPHAPO_OPERATION_ACCOUNTS_LIST, "{}",
                                     ALPHAPO_STATUS_TIMEOUT, "slow drip");
        printf("slow drip, %d ms per byte, timeout %u ms: TIMEOUT after %.0f ms\n", drips[i],
               timeout_ms, elapsed);
        CHECK(elapsed >= timeout_ms * 0.9);
        CHECK(elapsed < cap_ms + 700);
        /* At 30 ms per byte not even the head arrives: the timeout itself ends the call. */
        if (drips[i] == 30) CHECK(elapsed < timeout_ms + 700);
    }
    alphapo_client_free(c);
}

/* The number of withdrawals in the sandbox's state carrying `fid`. */
static int withdrawals_with(const char *fid) {
    char *state = NULL;
    int n = -1;
    if (sandbox_control("GET", "state", NULL, &state) == 200 && state) {
        char needle[128];
        snprintf(needle, sizeof needle, "\"foreign_id\":\"%s\"", fid);
        const char *w = strstr(state, "\"withdrawals\"");
        const char *end = w ? strstr(w, "\"exchanges\"") : NULL;
        if (w && end) {
            n = 0;
            for (const char *p = strstr(w, needle); p && p < end; p = strstr(p + 1, needle)) n++;
        }
    }
    free(state);
    return n;
}

/* The fields of a 0.001 BTC withdrawal with `fid` as its foreign_id, into json[256]. */
static void withdrawal_json(char *json, size_t size, const char *fid) {
    snprintf(json, size,
             "{\"currency\":\"BTC\",\"address\":\"tb1qfaultdestination\",\"amount\":\"0.001\","
             "\"foreign_id\":\"%s\",\"end_user_reference\":\"cust\"}",
             fid);
}

static void withdraw(alphapo_client *c, const char *fid, alphapo_status want, const char *what) {
    char json[256];
    withdrawal_json(json, sizeof json, fid);
    expect_call(c, ALPHAPO_OPERATION_WITHDRAWAL_CRYPTO, json, want, what);
}

/* A withdrawal whose reply is lost: OUTCOME_UNKNOWN after exactly one request, the error
 * naming the foreign_id and its cause; then reconcile finds the truth. */
static void lost_withdrawal(alphapo_client *c, const char *mode, const char *label, int applied) {
    const char *path = "/api/v2/withdrawal/crypto";
    char fid[96], json[256];
    snprintf(fid, sizeof fid, "%s-%s-%s", mode, label, run);
    withdrawal_json(json, sizeof json, fid);
    long before = sandbox_requests_on(path);
    arm(mode, "/withdrawal/crypto", "");
    alphapo_response *r = NULL;
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_client_call(c, ALPHAPO_OPERATION_WITHDRAWAL_CRYPTO, json, &r, &err),
                 ALPHAPO_STATUS_OUTCOME_UNKNOWN);
    CHECK(r == NULL);
    CHECK(alphapo_error_status(err) == ALPHAPO_STATUS_OUTCOME_UNKNOWN);
    CHECK(alphapo_error_cause(err) == ALPHAPO_STATUS_TRANSPORT);
    CHECK_STR(alphapo_error_foreign_id(err), fid);
    CHECK(alphapo_error_message(err) && strstr(alphapo_error_message(err), fid) != NULL);
    CHECK(sandbox_requests_on(path) == before + 1);
    CHECK(withdrawals_with(fid) == applied);

    /* What to do next: look it up by the error's foreign_id. */
    alphapo_response *found = NULL;
    alphapo_error *lookup_err = NULL;
    CHECK_STATUS(alphapo_client_reconcile(c, alphapo_error_foreign_id(err), &found, &lookup_err),
                 ALPHAPO_STATUS_OK);
    CHECK(lookup_err == NULL);
    CHECK((found != NULL) == (applied == 1));
    if (found) CHECK_STR(alphapo_response_get(found, "foreign_id"), fid);
    alphapo_response_free(found);
    alphapo_error_free(err);
}

static void test_money_moves_once(void) {
    const char *path = "/api/v2/withdrawal/crypto";
    alphapo_client *retrying = make_client(base_url, 5000, 2);
    alphapo_client *once = make_client(base_url, 5000, 0);
    char fid[96];

    /* Dropped before the sandbox handled it, or after: sent once either way, the outcome
     * unknown to the client; the sandbox holds none or one. Retries on or off alike. */
    lost_withdrawal(retrying, "drop_before", "retries", 0);
    lost_withdrawal(retrying, "drop_after", "retries", 1);
    lost_withdrawal(once, "drop_after", "once", 1);

    /* A 429 with Retry-After 1 applied nothing: retried, and the withdrawal happens once. */
    snprintf(fid, sizeof fid, "rate-limited-%s", run);
    long before = sandbox_requests_on(path);
    arm("http_429", "/withdrawal/crypto", ",\"retry_after\":1");
    withdraw(retrying, fid, ALPHAPO_STATUS_OK, "429 with Retry-After 1");
    CHECK(sandbox_requests_on(path) == before + 2);
    CHECK(withdrawals_with(fid) == 1);

    /* invoices/create is guarded by the documented duplicate refusal: a 500 (not handled)
     * then a truncated reply (handled): repeated with the same bytes, one invoice each. */
    const char *inv_path = "/api/v2/invoices/create";
    char json[256];
    static const char *modes[] = {"http_500", "truncated"};
    static const alphapo_status wants[] = {ALPHAPO_STATUS_OK, ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID};
    for (int i = 0; i < 2; i++) {
        snprintf(fid, sizeof fid, "fault-inv-%d-%s", i, run);
        snprintf(json, sizeof json,
                 "{\"title\":\"Fault\",\"currency\":\"EUR\",\"amount\":\"25\",\"foreign_id\":\"%s\","
                 "\"end_user_reference\":\"cust\"}",
                 fid);
        before = sandbox_requests_on(inv_path);
        arm(modes[i], "/invoices/create", "");
        expect_call(retrying, ALPHAPO_OPERATION_INVOICES_CREATE, json, wants[i], modes[i]);
        CHECK(sandbox_requests_on(inv_path) == before + 2);
        char *state = NULL;
        char needle[128];
        snprintf(needle, sizeof needle, "\"foreign_id\":\"%s\"", fid);
        CHECK(sandbox_control("GET", "state", NULL, &state) == 200 && state &&
              count_occurrences(state, needle) == 1);
        free(state);
    }

    /* The generic call is never re-sent once sent. */
    before = sandbox_requests_on("/api/v2/accounts/list");
    arm("drop_before", "/accounts/list", "");
    expect_call(retrying, ALPHAPO_OPERATION_GENERIC, "{\"path\":\"/accounts/list\"}",
                ALPHAPO_STATUS_OUTCOME_UNKNOWN, "generic after drop_before");
    CHECK(sandbox_requests_on("/api/v2/accounts/list") == before + 1);

    /* Nothing listening: refused before anything was sent, TRANSPORT after the retries. */
    alphapo_client *nowhere = make_client("http://127.0.0.1:9/api/v2", 1000, 1);
    withdraw(nowhere, "never-sent", ALPHAPO_STATUS_TRANSPORT, "connection refused");
    alphapo_client_free(nowhere);

    alphapo_client_free(retrying);
    alphapo_client_free(once);
}

int main(void) {
    base_url = getenv("ALPHAPO_BASE_URL");
    key = getenv("ALPHAPO_KEY");
    secret = getenv("ALPHAPO_SECRET");
    if (!base_url || !key || !secret || sandbox_port() <= 0) {
        fprintf(stderr, "ALPHAPO_BASE_URL (http://127.0.0.1:<port>/api/v2), ALPHAPO_KEY and "
                        "ALPHAPO_SECRET must be set (tests/c/run.sh does)\n");
        return 2;
    }
    snprintf(run, sizeof run, "%ld-%ld", (long)time(NULL), (long)getpid());
    CHECK(sandbox_control("DELETE", "faults", NULL, NULL) == 200);
    test_every_mode();
    test_slow_drip_times_out_within_the_timeout();
    test_money_moves_once();
    CHECK(sandbox_control("DELETE", "faults", NULL, NULL) == 200);
    return checks_report("test_faults");
}
