/* Every exported function with bad input: NULL in each pointer position, zero and huge
 * lengths, invalid UTF-8, embedded NULs, out-of-range numbers and indexes. Each call must
 * return its documented status (or NULL / 0 for accessors), fill the optional error object
 * with the same status, leave out-parameters untouched on failure, and never crash or leak
 * (this file runs under valgrind and under ASan/UBSan).
 *
 * The table PROBES names one probe per function. The test reads include/alphapo.h
 * ($ALPHAPO_HEADER overrides the path) and fails when a declared function has no probe or
 * a probe names a function the header no longer declares, so a new export cannot be
 * forgotten here. No network access: the client points at a closed loopback port and
 * every call is refused before anything is sent. */
#include <stdint.h>
#include <stdlib.h>

#include "alphapo.h"
#include "check.h"

/* Out-parameters start as this address: a call that fails must not overwrite them. */
static char sentinel_storage;
#define SENT(T) ((T *)(void *)&sentinel_storage)

static const uint8_t SECRET[] = "bad-input-secret";
#define SECRET_ARGS SECRET, (sizeof SECRET - 1)
static const char NOT_UTF8[] = "\xff\xfe\xc3(";
#define HUGE ((size_t)SIZE_MAX)
#define BIG_INDEX ((size_t)SIZE_MAX)

static alphapo_signer *signer;
static alphapo_client *client;
static alphapo_prepared *prepared;
static alphapo_response *response;
static alphapo_error *error_obj;
static alphapo_callback *callback;
static alphapo_request *invoice;
static char valid_sig[129];
static const char CB_BODY[] = "{\"id\":1,\"type\":\"invoice\",\"status\":\"confirmed\"}";
#define CB_ARGS ((const uint8_t *)CB_BODY), (sizeof CB_BODY - 1)

/* Checks a call that takes `alphapo_error **err`: its status, and that *err holds an error
 * with the same status and a message on failure, NULL on success. Frees the error. */
static void expect_err(int line, const char *call, alphapo_status got, alphapo_status want,
                       alphapo_error *err) {
    checks_run++;
    int ok = got == want;
    if (err == SENT(alphapo_error)) {
        ok = 0;
        fprintf(stderr, "test_bad_input.c:%d: %s did not set *err\n", line, call);
        err = NULL;
    } else if (want == ALPHAPO_STATUS_OK) {
        ok = ok && err == NULL;
    } else {
        const char *m = alphapo_error_message(err);
        ok = ok && err != NULL && alphapo_error_status(err) == want && m != NULL && m[0] != '\0';
    }
    if (!ok) {
        checks_failed++;
        fprintf(stderr, "test_bad_input.c:%d: %s gave %s (%s), expected %s\n", line, call,
                alphapo_status_name(got), err ? alphapo_error_message(err) : "no error object",
                alphapo_status_name(want));
    }
    alphapo_error_free(err);
}

/* E(call using &err, expected status); the call sees a local `err` preset to a sentinel. */
#define E(call, want)                                                     \
    do {                                                                  \
        alphapo_error *err = SENT(alphapo_error);                         \
        alphapo_status st_ = (call);                                      \
        expect_err(__LINE__, #call, st_, (want), err);                    \
    } while (0)
/* The same call with err = NULL must give the same status. */
#define E2(call_err, call_null, want) \
    do {                              \
        E(call_err, want);            \
        CHECK_STATUS(call_null, want); \
    } while (0)

/* ---- one probe per exported function ------------------------------------------------ */

static void p_version(void) {
    CHECK_STR(alphapo_version(), ALPHAPO_VERSION);
}

static void p_status_name(void) {
    CHECK_STR(alphapo_status_name(0), "ALPHAPO_STATUS_OK");
    CHECK_STR(alphapo_status_name(6), "ALPHAPO_STATUS_UNKNOWN");
    CHECK_STR(alphapo_status_name(100), "ALPHAPO_STATUS_UNKNOWN");
    CHECK_STR(alphapo_status_name(UINT32_MAX), "ALPHAPO_STATUS_UNKNOWN");
}

static void p_operations_json(void) {
    const char *table = alphapo_operations_json();
    CHECK(table != NULL && table[0] == '[');
    CHECK(strstr(table, "\"code\":11,\"name\":\"invoices/create\"") != NULL);
    CHECK(alphapo_operations_json() == table); /* static: the same string each time */
}

static void p_response_attempts_json(void) {
    CHECK(alphapo_response_attempts_json(NULL) == NULL);
    char *json = alphapo_response_attempts_json(response);
    CHECK(json != NULL && strstr(json, "\"attempts\":[") != NULL);
    alphapo_string_free(json);
}

static void p_error_attempts_json(void) {
    CHECK(alphapo_error_attempts_json(NULL) == NULL);
    /* error_obj comes from a reply decoded without a call: no record. */
    CHECK(alphapo_error_attempts_json(error_obj) == NULL);
}

static void p_test_panic(void) {
    E2(alphapo_test_panic(&err), alphapo_test_panic(NULL), ALPHAPO_STATUS_PANIC);
}

static void p_callback_verify(void) {
    const size_t n = 128;
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n, NULL, NULL, &err), ALPHAPO_STATUS_OK);
    E2(alphapo_callback_verify(NULL, CB_ARGS, valid_sig, n, NULL, NULL, &err),
       alphapo_callback_verify(NULL, CB_ARGS, valid_sig, n, NULL, NULL, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_callback_verify(signer, NULL, 5, valid_sig, n, NULL, NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_callback_verify(signer, NULL, HUGE, valid_sig, n, NULL, NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_callback_verify(signer, CB_ARGS, NULL, n, NULL, NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    /* Lengths: zero, one short, beyond any object (refused before reading). */
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, 0, NULL, NULL, &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    E(alphapo_callback_verify(signer, CB_ARGS, NULL, 0, NULL, NULL, &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n - 1, NULL, NULL, &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, HUGE, NULL, NULL, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_callback_verify(signer, (const uint8_t *)CB_BODY, HUGE, valid_sig, n, NULL, NULL,
                              &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_callback_verify(signer, NULL, 0, valid_sig, n, NULL, NULL, &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    /* The signature with an embedded NUL or non-hex bytes. */
    char sig[129];
    memcpy(sig, valid_sig, sizeof sig);
    sig[10] = '\0';
    E(alphapo_callback_verify(signer, CB_ARGS, sig, n, NULL, NULL, &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    sig[10] = (char)0xff;
    E(alphapo_callback_verify(signer, CB_ARGS, sig, n, NULL, NULL, &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    /* Key headers: non-UTF-8 is refused; an absent header (NULL) is not checked (the current
     * docs name only the signature header); a present one must match. */
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n, NOT_UTF8, "k", &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n, "k", NOT_UTF8, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n, NULL, "k", &err), ALPHAPO_STATUS_OK);
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n, "other", "k", &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n, "", "k", &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    E(alphapo_callback_verify(signer, CB_ARGS, valid_sig, n, "k\0x", "k", &err), ALPHAPO_STATUS_OK);
}

static void p_callback_parse(void) {
    const size_t n = 128;
    alphapo_callback *out = SENT(alphapo_callback);
    E2(alphapo_callback_parse(NULL, CB_ARGS, valid_sig, n, NULL, NULL, &out, &err),
       alphapo_callback_parse(NULL, CB_ARGS, valid_sig, n, NULL, NULL, &out, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_callback_parse(signer, NULL, 3, valid_sig, n, NULL, NULL, &out, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_callback_parse(signer, CB_ARGS, NULL, n, NULL, NULL, &out, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_callback_parse(signer, CB_ARGS, valid_sig, n, NULL, NULL, NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_callback_parse(signer, CB_ARGS, valid_sig, 0, NULL, NULL, &out, &err),
      ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    E(alphapo_callback_parse(signer, CB_ARGS, valid_sig, HUGE, NULL, NULL, &out, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_callback_parse(signer, CB_ARGS, valid_sig, n, NOT_UTF8, NULL, &out, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(out == SENT(alphapo_callback));
    /* Verified but not a JSON object, with embedded NULs and invalid UTF-8: DECODE. */
    static const uint8_t junk[] = {'{', '"', 'a', '"', ':', 0, 0xff, '}'};
    char junk_sig[129];
    CHECK_STATUS(alphapo_signer_sign(signer, junk, sizeof junk, junk_sig, sizeof junk_sig),
                 ALPHAPO_STATUS_OK);
    E(alphapo_callback_parse(signer, junk, sizeof junk, junk_sig, n, NULL, NULL, &out, &err),
      ALPHAPO_STATUS_DECODE);
    char empty_sig[129];
    CHECK_STATUS(alphapo_signer_sign(signer, NULL, 0, empty_sig, sizeof empty_sig),
                 ALPHAPO_STATUS_OK);
    E(alphapo_callback_parse(signer, NULL, 0, empty_sig, n, NULL, NULL, &out, &err),
      ALPHAPO_STATUS_DECODE);
    CHECK(out == SENT(alphapo_callback));
}

static void p_callback_get(void) {
    CHECK(alphapo_callback_get(NULL, "type") == NULL);
    CHECK(alphapo_callback_get(callback, NULL) == NULL);
    CHECK(alphapo_callback_get(callback, NOT_UTF8) == NULL);
    CHECK(alphapo_callback_get(callback, "") == NULL);
    CHECK(alphapo_callback_get(callback, "no.such.path") == NULL);
    CHECK_STR(alphapo_callback_get(callback, "type\0ignored"), "invoice");
}

static void p_callback_dedupe_key(void) {
    CHECK(alphapo_callback_dedupe_key(NULL) == NULL);
    CHECK_STR(alphapo_callback_dedupe_key(callback), "invoice:1:confirmed:::");
}

static void p_callback_is_fully_paid(void) {
    CHECK(!alphapo_callback_is_fully_paid(NULL));
    CHECK(alphapo_callback_is_fully_paid(callback)); /* confirmed, nothing remaining */
}

static void p_callback_json(void) {
    CHECK(alphapo_callback_json(NULL) == NULL);
    char *j = alphapo_callback_json(callback);
    CHECK(j != NULL && strstr(j, "\"dedupe_key\"") != NULL);
    alphapo_string_free(j);
}

static void p_callback_free(void) {
    alphapo_callback_free(NULL);
    CHECK(1);
}

static void p_client_builder_new(void) {
    alphapo_client_builder *b = SENT(alphapo_client_builder);
    E2(alphapo_client_builder_new(NULL, SECRET_ARGS, &b, &err),
       alphapo_client_builder_new(NULL, SECRET_ARGS, &b, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_new("k", NULL, 4, &b, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_new("k", NULL, HUGE, &b, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_new("k", SECRET, HUGE, &b, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_builder_new("k", SECRET_ARGS, NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_new(NOT_UTF8, SECRET_ARGS, &b, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(b == SENT(alphapo_client_builder));
    /* An empty secret (NULL, 0) and a key with an embedded NUL (cut there) are accepted
     * here; the empty key is refused when the client is built. */
    b = NULL;
    E(alphapo_client_builder_new("", NULL, 0, &b, &err), ALPHAPO_STATUS_OK);
    alphapo_client *c = SENT(alphapo_client);
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(c == SENT(alphapo_client));
    b = NULL;
    E(alphapo_client_builder_new("k\0junk", SECRET_ARGS, &b, &err), ALPHAPO_STATUS_OK);
    alphapo_client_builder_free(b);
    /* A key with a line break would inject a header: refused at build. */
    b = NULL;
    E(alphapo_client_builder_new("k\r\nX-Evil: 1", SECRET_ARGS, &b, &err), ALPHAPO_STATUS_OK);
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
}

static alphapo_client_builder *fresh_builder(void) {
    alphapo_client_builder *b = NULL;
    CHECK_STATUS(alphapo_client_builder_new("bad-input-key", SECRET_ARGS, &b, NULL),
                 ALPHAPO_STATUS_OK);
    return b;
}

static void p_set_environment(void) {
    alphapo_client_builder *b = fresh_builder();
    E2(alphapo_client_builder_set_environment(NULL, 0, &err),
       alphapo_client_builder_set_environment(NULL, 0, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_environment(b, 5, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_builder_set_environment(b, UINT32_MAX, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_builder_set_environment(b, ALPHAPO_ENVIRONMENT_COINSPAID, &err),
      ALPHAPO_STATUS_OK);
    alphapo_client_builder_free(b);
}

typedef alphapo_status (*base_url_setter)(alphapo_client_builder *, const char *, bool,
                                          alphapo_error **);

static void probe_base_url_setter(base_url_setter set) {
    alphapo_client_builder *b = fresh_builder();
    E2(set(NULL, "https://x.example/api/v2", false, &err),
       set(NULL, "https://x.example/api/v2", false, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(set(b, NULL, false, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(set(b, NOT_UTF8, false, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    const char *bad[] = {"", "not a url", "ftp://x.example/api/v2", "http://shop.example/api/v2",
                         "https://", "https://exa mple.com/api/v2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        E(set(b, bad[i], false, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    }
    E(set(b, "http://127.0.0.1:9/api/v2\0junk", false, &err), ALPHAPO_STATUS_OK);
    alphapo_client_builder_free(b);
}

static void p_set_base_url(void) {
    probe_base_url_setter(alphapo_client_builder_set_base_url);
}

static void p_set_payments_base_url(void) {
    probe_base_url_setter(alphapo_client_builder_set_payments_base_url);
}

static void p_set_timeouts(void) {
    alphapo_client_builder *b = fresh_builder();
    E2(alphapo_client_builder_set_timeouts(NULL, 1, 1, &err),
       alphapo_client_builder_set_timeouts(NULL, 1, 1, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_timeouts(b, 0, 0, &err), ALPHAPO_STATUS_OK);
    E(alphapo_client_builder_set_timeouts(b, UINT32_MAX, UINT32_MAX, &err), ALPHAPO_STATUS_OK);
    alphapo_client *c = NULL;
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_OK);
    alphapo_client_free(c);
}

static void p_set_app_info(void) {
    alphapo_client_builder *b = fresh_builder();
    E2(alphapo_client_builder_set_app_info(NULL, "Shop/1", &err),
       alphapo_client_builder_set_app_info(NULL, "Shop/1", NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_app_info(b, NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_app_info(b, NOT_UTF8, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    /* Accepted here, checked at build: a line break, then 201 characters. */
    E(alphapo_client_builder_set_app_info(b, "Shop\r\nX-Evil: 1", &err), ALPHAPO_STATUS_OK);
    alphapo_client *c = SENT(alphapo_client);
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    char longer[202];
    memset(longer, 'a', 201);
    longer[201] = '\0';
    b = fresh_builder();
    E(alphapo_client_builder_set_app_info(b, longer, &err), ALPHAPO_STATUS_OK);
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(c == SENT(alphapo_client));
}

static void p_set_ca_file(void) {
    alphapo_client_builder *b = fresh_builder();
    E2(alphapo_client_builder_set_ca_file(NULL, "/x", &err),
       alphapo_client_builder_set_ca_file(NULL, "/x", NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_ca_file(b, NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_ca_file(b, NOT_UTF8, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_builder_set_ca_file(b, "/nonexistent/alphapo-ca.pem", &err),
      ALPHAPO_STATUS_OK);
    alphapo_client *c = SENT(alphapo_client);
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    /* A file that is not PEM: this source file. */
    b = fresh_builder();
    E(alphapo_client_builder_set_ca_file(b, __FILE__, &err), ALPHAPO_STATUS_OK);
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(c == SENT(alphapo_client));
}

static void p_set_max_retries(void) {
    alphapo_client_builder *b = fresh_builder();
    E2(alphapo_client_builder_set_max_retries(NULL, 1, &err),
       alphapo_client_builder_set_max_retries(NULL, 1, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_max_retries(b, UINT32_MAX, &err), ALPHAPO_STATUS_OK);
    alphapo_client *c = SENT(alphapo_client);
    E(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(c == SENT(alphapo_client));
}

static void p_builder_build(void) {
    alphapo_client *c = SENT(alphapo_client);
    E2(alphapo_client_builder_build(NULL, &c, &err), alphapo_client_builder_build(NULL, &c, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    /* A NULL out still consumes the builder (valgrind and ASan see no leak). */
    E(alphapo_client_builder_build(fresh_builder(), NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_client_builder_build(fresh_builder(), NULL, NULL),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK(c == SENT(alphapo_client));
}

static void p_builder_free(void) {
    alphapo_client_builder_free(NULL);
    alphapo_client_builder_free(fresh_builder());
    CHECK(1);
}

static void p_client_free(void) {
    alphapo_client_free(NULL);
    CHECK(1);
}

static const uint32_t BAD_OPS[] = {0, 16, 99, UINT32_MAX};

static void p_client_call(void) {
    alphapo_response *out = SENT(alphapo_response);
    E2(alphapo_client_call(NULL, ALPHAPO_OPERATION_PING, NULL, &out, &err),
       alphapo_client_call(NULL, ALPHAPO_OPERATION_PING, NULL, &out, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_call(client, ALPHAPO_OPERATION_PING, NULL, NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    for (size_t i = 0; i < sizeof BAD_OPS / sizeof *BAD_OPS; i++) {
        E(alphapo_client_call(client, BAD_OPS[i], "{}", &out, &err),
          ALPHAPO_STATUS_INVALID_ARGUMENT);
    }
    E(alphapo_client_call(client, ALPHAPO_OPERATION_ACCOUNTS_LIST, NOT_UTF8, &out, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_call(client, ALPHAPO_OPERATION_ACCOUNTS_LIST, "[]", &out, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_call(client, ALPHAPO_OPERATION_INVOICES_CANCEL,
                          "{\"foreign_id\":\"a\0b\"}", &out, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_call(client, ALPHAPO_OPERATION_INVOICES_CREATE, "{}", &out, &err),
      ALPHAPO_STATUS_VALIDATION);
    /* An unknown field is a field error of its own (a typo never drops a field silently). */
    E(alphapo_client_call(client, ALPHAPO_OPERATION_INVOICES_CREATE, "{\"titel\":\"x\"}", &out,
                          &err),
      ALPHAPO_STATUS_VALIDATION);
    /* A valid request with a NULL out is refused before anything is sent. */
    E(alphapo_client_call(client, ALPHAPO_OPERATION_ACCOUNTS_LIST, "{}", NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK(out == SENT(alphapo_response));
}

static void p_client_prepare(void) {
    alphapo_prepared *out = SENT(alphapo_prepared);
    E2(alphapo_client_prepare(NULL, ALPHAPO_OPERATION_PING, NULL, &out, &err),
       alphapo_client_prepare(NULL, ALPHAPO_OPERATION_PING, NULL, &out, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_prepare(client, ALPHAPO_OPERATION_PING, NULL, NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    for (size_t i = 0; i < sizeof BAD_OPS / sizeof *BAD_OPS; i++) {
        E(alphapo_client_prepare(client, BAD_OPS[i], NULL, &out, &err),
          ALPHAPO_STATUS_INVALID_ARGUMENT);
    }
    E(alphapo_client_prepare(client, ALPHAPO_OPERATION_GENERIC, NOT_UTF8, &out, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_prepare(client, ALPHAPO_OPERATION_GENERIC, "{\"path\":\"/../x\"}", &out,
                             &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_prepare(client, ALPHAPO_OPERATION_TRANSACTIONS_INFO, "{}", &out, &err),
      ALPHAPO_STATUS_VALIDATION);
    CHECK(out == SENT(alphapo_prepared));
    /* Embedded NUL: the JSON ends there. */
    out = NULL;
    E(alphapo_client_prepare(client, ALPHAPO_OPERATION_ACCOUNTS_LIST, "{}\0garbage", &out, &err),
      ALPHAPO_STATUS_OK);
    alphapo_prepared_free(out);
}

static void p_client_send(void) {
    alphapo_response *out = SENT(alphapo_response);
    E2(alphapo_client_send(NULL, prepared, &out, &err),
       alphapo_client_send(NULL, prepared, &out, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_send(client, NULL, &out, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_send(client, prepared, NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK(out == SENT(alphapo_response));
}

static void p_set_proxy(void) {
    alphapo_client_builder *b = fresh_builder();
    E2(alphapo_client_builder_set_proxy(NULL, "http://p:1", &err),
       alphapo_client_builder_set_proxy(NULL, "http://p:1", NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_proxy(b, NOT_UTF8, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_builder_set_proxy(b, "ftp://p:1", &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_builder_set_proxy(b, "http://u:pw@p:1\r\n", &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_builder_set_proxy(b, "http://u:pw@p:3128", &err), ALPHAPO_STATUS_OK);
    E(alphapo_client_builder_set_proxy(b, NULL, &err), ALPHAPO_STATUS_OK); /* clears it */
    alphapo_client_builder_free(b);
}

static void p_set_proxy_from_environment(void) {
    alphapo_client_builder *b = fresh_builder();
    E2(alphapo_client_builder_set_proxy_from_environment(NULL, true, &err),
       alphapo_client_builder_set_proxy_from_environment(NULL, true, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_builder_set_proxy_from_environment(b, true, &err), ALPHAPO_STATUS_OK);
    alphapo_client_builder_free(b);
}

static void p_client_reconcile(void) {
    alphapo_response *out = SENT(alphapo_response);
    E2(alphapo_client_reconcile(NULL, "fid", &out, &err),
       alphapo_client_reconcile(NULL, "fid", &out, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_reconcile(client, NULL, &out, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_reconcile(client, NOT_UTF8, &out, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_client_reconcile(client, "fid", NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK(out == SENT(alphapo_response));
}

static void p_call_request(void) {
    alphapo_response *out = SENT(alphapo_response);
    E2(alphapo_client_call_request(NULL, invoice, &out, &err),
       alphapo_client_call_request(NULL, invoice, &out, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_call_request(client, NULL, &out, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_call_request(client, invoice, NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    alphapo_request *empty = NULL;
    CHECK_STATUS(alphapo_request_new(ALPHAPO_OPERATION_INVOICES_CREATE, &empty, NULL),
                 ALPHAPO_STATUS_OK);
    E(alphapo_client_call_request(client, empty, &out, &err), ALPHAPO_STATUS_VALIDATION);
    alphapo_request_free(empty);
    CHECK(out == SENT(alphapo_response));
}

static void p_prepare_request(void) {
    alphapo_prepared *out = SENT(alphapo_prepared);
    E2(alphapo_client_prepare_request(NULL, invoice, &out, &err),
       alphapo_client_prepare_request(NULL, invoice, &out, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_prepare_request(client, NULL, &out, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_client_prepare_request(client, invoice, NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK(out == SENT(alphapo_prepared));
    out = NULL;
    E(alphapo_client_prepare_request(client, invoice, &out, &err), ALPHAPO_STATUS_OK);
    alphapo_prepared_free(out);
}

static void p_decode_reply(void) {
    alphapo_response *out = SENT(alphapo_response);
    const uint8_t *ok = (const uint8_t *)"{\"data\":[]}";
    E2(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 200, NULL, 3, &out, &err),
       alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 200, NULL, 3, &out, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 200, NULL, HUGE, &out, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 200, ok, HUGE, &out, &err),
      ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 200, ok, 11, NULL, &err),
      ALPHAPO_STATUS_NULL_ARGUMENT);
    for (size_t i = 0; i < sizeof BAD_OPS / sizeof *BAD_OPS; i++) {
        E(alphapo_decode_reply(BAD_OPS[i], 200, ok, 11, &out, &err),
          ALPHAPO_STATUS_INVALID_ARGUMENT);
    }
    /* Empty, binary with NULs and invalid UTF-8: DECODE on 2xx, the status's error else. */
    static const uint8_t binary[] = {'{', 0, 0xff, 0xfe, '}', 0};
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 200, NULL, 0, &out, &err),
      ALPHAPO_STATUS_DECODE);
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 200, binary, sizeof binary, &out,
                           &err),
      ALPHAPO_STATUS_DECODE);
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 502, binary, sizeof binary, &out,
                           &err),
      ALPHAPO_STATUS_SERVER);
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 0, ok, 11, &out, &err),
      ALPHAPO_STATUS_API);
    E(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, UINT16_MAX, ok, 11, &out, &err),
      ALPHAPO_STATUS_API);
    CHECK(out == SENT(alphapo_response));
    /* The raw body of the error keeps every byte, NULs included. */
    alphapo_error *e = NULL;
    CHECK_STATUS(alphapo_decode_reply(ALPHAPO_OPERATION_ACCOUNTS_LIST, 429, binary, sizeof binary,
                                      &out, &e),
                 ALPHAPO_STATUS_RATE_LIMITED);
    size_t len = 0;
    const uint8_t *raw = alphapo_error_raw_body(e, &len);
    CHECK(raw != NULL && len == sizeof binary && memcmp(raw, binary, len) == 0);
    alphapo_error_free(e);
    /* ping answers text, whatever its bytes. */
    out = NULL;
    E(alphapo_decode_reply(ALPHAPO_OPERATION_PING, 200, binary, sizeof binary, &out, &err),
      ALPHAPO_STATUS_OK);
    alphapo_response_free(out);
}

static void p_error_status(void) {
    CHECK_STATUS(alphapo_error_status(NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_error_status(error_obj), ALPHAPO_STATUS_API);
}

static void p_error_http_status(void) {
    CHECK(alphapo_error_http_status(NULL) == 0);
    CHECK(alphapo_error_http_status(error_obj) == 400);
}

static void p_error_message(void) {
    CHECK(alphapo_error_message(NULL) == NULL);
    CHECK(alphapo_error_message(error_obj) != NULL);
}

static void p_error_code(void) {
    CHECK(alphapo_error_code(NULL) == NULL);
    CHECK_STR(alphapo_error_code(error_obj), "c");
}

static void p_error_field_count(void) {
    CHECK(alphapo_error_field_count(NULL) == 0);
    CHECK(alphapo_error_field_count(error_obj) == 1);
}

static void p_error_field_name(void) {
    CHECK(alphapo_error_field_name(NULL, 0) == NULL);
    CHECK_STR(alphapo_error_field_name(error_obj, 0), "amount");
    CHECK(alphapo_error_field_name(error_obj, 1) == NULL);
    CHECK(alphapo_error_field_name(error_obj, BIG_INDEX) == NULL);
}

static void p_error_field_message(void) {
    CHECK(alphapo_error_field_message(NULL, 0) == NULL);
    CHECK(alphapo_error_field_message(error_obj, 0) != NULL);
    CHECK(alphapo_error_field_message(error_obj, 1) == NULL);
    CHECK(alphapo_error_field_message(error_obj, BIG_INDEX) == NULL);
}

static void p_error_fields_json(void) {
    CHECK(alphapo_error_fields_json(NULL) == NULL);
    char *j = alphapo_error_fields_json(error_obj);
    CHECK(j != NULL && strstr(j, "\"amount\"") != NULL);
    alphapo_string_free(j);
}

static void p_error_raw_body(void) {
    size_t len = 77;
    CHECK(alphapo_error_raw_body(NULL, &len) == NULL && len == 0);
    CHECK(alphapo_error_raw_body(NULL, NULL) == NULL);
    CHECK(alphapo_error_raw_body(error_obj, NULL) != NULL);
    /* An error without a reply has no raw body. */
    alphapo_error *e = NULL;
    CHECK_STATUS(alphapo_test_panic(&e), ALPHAPO_STATUS_PANIC);
    len = 77;
    CHECK(alphapo_error_raw_body(e, &len) == NULL && len == 0);
    alphapo_error_free(e);
}

static void p_error_retry_after(void) {
    CHECK(alphapo_error_retry_after(NULL) == 0);
    CHECK(alphapo_error_retry_after(error_obj) == 0);
}

static void p_error_cause(void) {
    CHECK(alphapo_error_cause(NULL) == ALPHAPO_STATUS_NULL_ARGUMENT);
    /* No separate cause: the error's own status. */
    CHECK(alphapo_error_cause(error_obj) == alphapo_error_status(error_obj));
}

static void p_error_foreign_id(void) {
    CHECK(alphapo_error_foreign_id(NULL) == NULL);
    CHECK(alphapo_error_foreign_id(error_obj) == NULL);
}

static void p_error_free(void) {
    alphapo_error_free(NULL);
    CHECK(1);
}

static void p_request_new(void) {
    alphapo_request *out = SENT(alphapo_request);
    E2(alphapo_request_new(ALPHAPO_OPERATION_PING, NULL, &err),
       alphapo_request_new(ALPHAPO_OPERATION_PING, NULL, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    for (size_t i = 0; i < sizeof BAD_OPS / sizeof *BAD_OPS; i++) {
        E(alphapo_request_new(BAD_OPS[i], &out, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    }
    CHECK(out == SENT(alphapo_request));
}

typedef alphapo_status (*setter_fn)(alphapo_request *, const char *, const char *,
                                    alphapo_error **);

/* Both setters: NULL and bad UTF-8 in every position, malformed names; stored as given
 * (rules are checked when the request is run), then restored. */
static void probe_setter(setter_fn set, const char *good) {
    E2(set(NULL, "title", good, &err), set(NULL, "title", good, NULL),
       ALPHAPO_STATUS_NULL_ARGUMENT);
    E(set(invoice, NULL, good, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(set(invoice, "title", NULL, &err), ALPHAPO_STATUS_NULL_ARGUMENT);
    E(set(invoice, NOT_UTF8, good, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    E(set(invoice, "title", NOT_UTF8, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    const char *bad_names[] = {"", ".", "title.", ".title", "a..b"};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        E(set(invoice, bad_names[i], good, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    }
    E(set(invoice, "title.sub", good, &err), ALPHAPO_STATUS_INVALID_ARGUMENT); /* not an object */
    E(set(invoice, "title", good, &err), ALPHAPO_STATUS_OK);
}

static void p_request_set(void) {
    probe_setter(alphapo_request_set, "Order 1");
}

static void p_request_set_json(void) {
    probe_setter(alphapo_request_set_json, "\"Order 1\"");
    E(alphapo_request_set_json(invoice, "title", "{oops", &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    /* An unknown key is stored, then reported by validation with its field name. */
    alphapo_request *r = NULL;
    CHECK_STATUS(alphapo_request_new(ALPHAPO_OPERATION_INVOICES_CREATE, &r, NULL),
                 ALPHAPO_STATUS_OK);
    E(alphapo_request_set_json(r, "sender_data", "{\"shoe_size\": \"44\"}", &err),
      ALPHAPO_STATUS_OK);
    alphapo_prepared *p = SENT(alphapo_prepared);
    E(alphapo_client_prepare_request(client, r, &p, &err), ALPHAPO_STATUS_VALIDATION);
    CHECK(p == SENT(alphapo_prepared));
    alphapo_request_free(r);
}

static void p_request_free(void) {
    alphapo_request_free(NULL);
    CHECK(1);
}

static void p_prepared_method(void) {
    CHECK(alphapo_prepared_method(NULL) == NULL);
    CHECK_STR(alphapo_prepared_method(prepared), "POST");
}

static void p_prepared_url(void) {
    CHECK(alphapo_prepared_url(NULL) == NULL);
    CHECK(alphapo_prepared_url(prepared) != NULL);
}

static void p_prepared_body(void) {
    size_t len = 77;
    CHECK(alphapo_prepared_body(NULL, &len) == NULL && len == 0);
    CHECK(alphapo_prepared_body(NULL, NULL) == NULL);
    CHECK(alphapo_prepared_body(prepared, NULL) != NULL);
}

static void p_prepared_header_count(void) {
    CHECK(alphapo_prepared_header_count(NULL) == 0);
    CHECK(alphapo_prepared_header_count(prepared) == 3);
}

static void p_prepared_header_name(void) {
    CHECK(alphapo_prepared_header_name(NULL, 0) == NULL);
    CHECK(alphapo_prepared_header_name(prepared, 3) == NULL);
    CHECK(alphapo_prepared_header_name(prepared, BIG_INDEX) == NULL);
}

static void p_prepared_header_value(void) {
    CHECK(alphapo_prepared_header_value(NULL, 0) == NULL);
    CHECK(alphapo_prepared_header_value(prepared, 3) == NULL);
    CHECK(alphapo_prepared_header_value(prepared, BIG_INDEX) == NULL);
}

static void p_prepared_free(void) {
    alphapo_prepared_free(NULL);
    CHECK(1);
}

static void p_response_http_status(void) {
    CHECK(alphapo_response_http_status(NULL) == 0);
    CHECK(alphapo_response_http_status(response) == 201);
}

static void p_response_get(void) {
    CHECK(alphapo_response_get(NULL, "amount") == NULL);
    CHECK(alphapo_response_get(response, NULL) == NULL);
    CHECK(alphapo_response_get(response, NOT_UTF8) == NULL);
    CHECK(alphapo_response_get(response, "") == NULL);
    CHECK(alphapo_response_get(response, "amount.deeper") == NULL);
    CHECK_STR(alphapo_response_get(response, "amount\0junk"), "0.106.75000000");
}

static void p_response_json(void) {
    CHECK(alphapo_response_json(NULL) == NULL);
    char *j = alphapo_response_json(response);
    CHECK(j != NULL && strstr(j, "\"malformed\"") != NULL);
    alphapo_string_free(j);
}

static void p_response_result_json(void) {
    CHECK(alphapo_response_result_json(NULL) == NULL);
    char *j = alphapo_response_result_json(response);
    CHECK(j != NULL && strstr(j, "\"malformed_fields\":[\"amount\"]") != NULL && strstr(j, "\"data\"") == NULL);
    alphapo_string_free(j);
}

static void p_response_summary_json(void) {
    size_t len = 77;
    CHECK(alphapo_response_summary_json(NULL, &len) == NULL && len == 0);
    CHECK(alphapo_response_summary_json(NULL, NULL) == NULL);
    const char *j = alphapo_response_summary_json(response, &len);
    CHECK(j != NULL && len == strlen(j) && strncmp(j, "{\"http_status\":201,", 19) == 0);
    CHECK(strstr(j, "\"malformed_fields\":[\"amount\"]") != NULL && strstr(j, "\"data\"") == NULL);
    CHECK(strstr(j, "\"attempts\":{") != NULL);
    /* Borrowed and made once: the same text at the same address on every call. */
    CHECK(alphapo_response_summary_json(response, NULL) == j);
}

static void p_response_raw_body(void) {
    size_t len = 77;
    CHECK(alphapo_response_raw_body(NULL, &len) == NULL && len == 0);
    CHECK(alphapo_response_raw_body(NULL, NULL) == NULL);
    CHECK(alphapo_response_raw_body(response, NULL) != NULL);
}

static void p_response_malformed_count(void) {
    CHECK(alphapo_response_malformed_count(NULL) == 0);
    CHECK(alphapo_response_malformed_count(response) == 1);
}

static void p_response_malformed(void) {
    CHECK(alphapo_response_malformed(NULL, 0) == NULL);
    CHECK_STR(alphapo_response_malformed(response, 0), "amount");
    CHECK(alphapo_response_malformed(response, 1) == NULL);
    CHECK(alphapo_response_malformed(response, BIG_INDEX) == NULL);
}

static void p_response_free(void) {
    alphapo_response_free(NULL);
    CHECK(1);
}

static void p_sign(void) {
    char out[129];
    memset(out, 'x', sizeof out);
    const uint8_t *b = (const uint8_t *)"body";
    CHECK_STATUS(alphapo_sign(NULL, 1, b, 4, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_sign(NULL, HUGE, b, 4, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_sign(SECRET, HUGE, b, 4, out, sizeof out),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, NULL, 4, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, b, HUGE, out, sizeof out),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, b, 4, NULL, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, b, 4, NULL, 0), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, b, 4, out, 0), ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, b, 4, out, 128), ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK(out[0] == 'x'); /* untouched on failure */
    /* A larger declared buffer is fine: exactly 129 bytes are written. */
    char big[140];
    memset(big, 'x', sizeof big);
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, b, 4, big, HUGE), ALPHAPO_STATUS_OK);
    CHECK(big[128] == '\0' && big[129] == 'x');
    /* Embedded NULs and invalid UTF-8 in the key and body are bytes like any other. */
    static const uint8_t nul_key[] = {'k', 0, 'e', 0xff};
    static const uint8_t nul_body[] = {0, 0, 0xff, 'x'};
    CHECK_STATUS(alphapo_sign(nul_key, sizeof nul_key, nul_body, sizeof nul_body, out, sizeof out),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_verify(nul_key, sizeof nul_key, nul_body, sizeof nul_body, out, 128),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_verify(nul_key, 1, nul_body, sizeof nul_body, out, 128),
                 ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_sign(NULL, 0, NULL, 0, out, sizeof out), ALPHAPO_STATUS_OK);
}

static void p_verify(void) {
    const uint8_t *b = (const uint8_t *)"body";
    char sig[129];
    CHECK_STATUS(alphapo_sign(SECRET_ARGS, b, 4, sig, sizeof sig), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, sig, 128), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_verify(NULL, 1, b, 4, sig, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_verify(SECRET, HUGE, b, 4, sig, 128), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, NULL, 4, sig, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, HUGE, sig, 128), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, NULL, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, NULL, 0), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, sig, 0), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, sig, 129), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, sig, HUGE), ALPHAPO_STATUS_INVALID_ARGUMENT);
    sig[64] = '\0';
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, sig, 128), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    sig[64] = (char)0xc3;
    CHECK_STATUS(alphapo_verify(SECRET_ARGS, b, 4, sig, 128), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
}

static void p_signer_new(void) {
    alphapo_signer *s = SENT(alphapo_signer);
    CHECK_STATUS(alphapo_signer_new(NULL, 1, &s), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_new(NULL, HUGE, &s), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_new(SECRET, HUGE, &s), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_signer_new(SECRET_ARGS, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK(s == SENT(alphapo_signer));
    s = NULL;
    CHECK_STATUS(alphapo_signer_new(NULL, 0, &s), ALPHAPO_STATUS_OK);
    alphapo_signer_free(s);
}

static void p_signer_sign(void) {
    char out[129];
    out[0] = 'x';
    const uint8_t *b = (const uint8_t *)"body";
    CHECK_STATUS(alphapo_signer_sign(NULL, b, 4, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign(signer, NULL, 4, out, sizeof out),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign(signer, b, HUGE, out, sizeof out),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign(signer, b, 4, NULL, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign(signer, b, 4, out, 0), ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(alphapo_signer_sign(signer, b, 4, out, 128), ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK(out[0] == 'x');
    CHECK_STATUS(alphapo_signer_sign(signer, NULL, 0, out, sizeof out), ALPHAPO_STATUS_OK);
}

static void p_signer_sign_chars(void) {
    char out[129], ref[129];
    out[0] = 'x';
    /* Bytes, not text: embedded NULs and invalid UTF-8 sign like alphapo_signer_sign. */
    static const char body[] = {'a', 0, (char)0xff, 'b'};
    CHECK_STATUS(alphapo_signer_sign_chars(NULL, body, 4, out, sizeof out),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign_chars(signer, NULL, 4, out, sizeof out),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign_chars(signer, NULL, HUGE, out, sizeof out),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign_chars(signer, body, HUGE, out, sizeof out),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign_chars(signer, body, 4, NULL, sizeof out),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign_chars(signer, body, 4, out, 0),
                 ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(alphapo_signer_sign_chars(signer, body, 4, out, 128),
                 ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK(out[0] == 'x');
    CHECK_STATUS(alphapo_signer_sign_chars(signer, body, 4, out, sizeof out), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_signer_sign(signer, (const uint8_t *)body, 4, ref, sizeof ref),
                 ALPHAPO_STATUS_OK);
    CHECK_STR(out, ref);
    CHECK_STATUS(alphapo_signer_sign_chars(signer, NULL, 0, out, sizeof out), ALPHAPO_STATUS_OK);
}

static void p_signer_verify(void) {
    const uint8_t *b = (const uint8_t *)"body";
    char sig[129];
    CHECK_STATUS(alphapo_signer_sign(signer, b, 4, sig, sizeof sig), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_signer_verify(signer, b, 4, sig, 128), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_signer_verify(NULL, b, 4, sig, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_verify(signer, NULL, 4, sig, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_verify(signer, b, HUGE, sig, 128), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_signer_verify(signer, b, 4, NULL, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_verify(signer, b, 4, sig, 0), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_signer_verify(signer, b, 4, sig, HUGE), ALPHAPO_STATUS_INVALID_ARGUMENT);
    sig[0] = (char)0xff;
    CHECK_STATUS(alphapo_signer_verify(signer, b, 4, sig, 128), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
}

static void p_signer_free(void) {
    alphapo_signer_free(NULL);
    CHECK(1);
}

static void p_string_free(void) {
    alphapo_string_free(NULL);
    CHECK(1);
}

/* ---- the table, checked against the header ------------------------------------------ */

struct probe {
    const char *name;
    void (*run)(void);
    int seen_in_header;
};

#define P(fn) {"alphapo_" #fn, p_##fn, 0}
static struct probe PROBES[] = {
    P(version),
    P(status_name),
    P(operations_json),
    P(response_attempts_json),
    P(error_attempts_json),
    P(test_panic),
    P(callback_verify),
    P(callback_parse),
    P(callback_get),
    P(callback_dedupe_key),
    P(callback_is_fully_paid),
    P(callback_json),
    P(callback_free),
    P(client_builder_new),
    {"alphapo_client_builder_set_environment", p_set_environment, 0},
    {"alphapo_client_builder_set_base_url", p_set_base_url, 0},
    {"alphapo_client_builder_set_payments_base_url", p_set_payments_base_url, 0},
    {"alphapo_client_builder_set_timeouts", p_set_timeouts, 0},
    {"alphapo_client_builder_set_app_info", p_set_app_info, 0},
    {"alphapo_client_builder_set_ca_file", p_set_ca_file, 0},
    {"alphapo_client_builder_set_max_retries", p_set_max_retries, 0},
    {"alphapo_client_builder_set_proxy", p_set_proxy, 0},
    {"alphapo_client_builder_set_proxy_from_environment", p_set_proxy_from_environment, 0},
    {"alphapo_client_builder_build", p_builder_build, 0},
    {"alphapo_client_builder_free", p_builder_free, 0},
    P(client_free),
    P(client_call),
    P(client_prepare),
    P(client_send),
    P(client_reconcile),
    {"alphapo_client_call_request", p_call_request, 0},
    {"alphapo_client_prepare_request", p_prepare_request, 0},
    P(decode_reply),
    P(error_status),
    P(error_http_status),
    P(error_message),
    P(error_code),
    P(error_field_count),
    P(error_field_name),
    P(error_field_message),
    P(error_fields_json),
    P(error_raw_body),
    P(error_retry_after),
    P(error_cause),
    P(error_foreign_id),
    P(error_free),
    P(request_new),
    P(request_set),
    P(request_set_json),
    P(request_free),
    P(prepared_method),
    P(prepared_url),
    P(prepared_body),
    P(prepared_header_count),
    P(prepared_header_name),
    P(prepared_header_value),
    P(prepared_free),
    P(response_http_status),
    P(response_get),
    P(response_json),
    P(response_result_json),
    P(response_summary_json),
    P(response_raw_body),
    P(response_malformed_count),
    P(response_malformed),
    P(response_free),
    P(sign),
    P(verify),
    P(signer_new),
    P(signer_sign),
    P(signer_sign_chars),
    P(signer_verify),
    P(signer_free),
    P(string_free),
};
#define PROBE_COUNT (sizeof PROBES / sizeof *PROBES)

/* Every function the header declares: a line that starts a declaration (not indented,
 * not a comment or directive) and holds `alphapo_<name>(`. Returns how many it found. */
static int check_table_against_header(void) {
    const char *path = getenv("ALPHAPO_HEADER");
    if (path == NULL) path = "include/alphapo.h";
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (run from the repository root or set ALPHAPO_HEADER)\n",
                path);
        return 0;
    }
    char line[4096];
    int declared = 0;
    while (fgets(line, sizeof line, f)) {
        if (!((line[0] >= 'a' && line[0] <= 'z') || (line[0] >= 'A' && line[0] <= 'Z'))) continue;
        if (strncmp(line, "typedef", 7) == 0) continue;
        for (char *p = strstr(line, "alphapo_"); p; p = strstr(p + 1, "alphapo_")) {
            size_t n = 0;
            while ((p[n] >= 'a' && p[n] <= 'z') || p[n] == '_' || (p[n] >= '0' && p[n] <= '9')) n++;
            if (p[n] != '(') continue;
            declared++;
            int found = 0;
            for (size_t i = 0; i < PROBE_COUNT; i++) {
                if (strlen(PROBES[i].name) == n && strncmp(PROBES[i].name, p, n) == 0) {
                    PROBES[i].seen_in_header++;
                    found = 1;
                }
            }
            checks_run++;
            if (!found) {
                checks_failed++;
                fprintf(stderr, "%s declares %.*s but test_bad_input.c has no probe for it\n",
                        path, (int)n, p);
            }
            break;
        }
    }
    fclose(f);
    for (size_t i = 0; i < PROBE_COUNT; i++) {
        checks_run++;
        if (PROBES[i].seen_in_header != 1) {
            checks_failed++;
            fprintf(stderr, "probe %s: declared %d times in %s (expected once)\n", PROBES[i].name,
                    PROBES[i].seen_in_header, path);
        }
    }
    return declared;
}

static void setup(void) {
    CHECK_STATUS(alphapo_signer_new(SECRET_ARGS, &signer), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_signer_sign(signer, CB_ARGS, valid_sig, sizeof valid_sig),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_callback_parse(signer, CB_ARGS, valid_sig, 128, NULL, NULL, &callback,
                                        NULL),
                 ALPHAPO_STATUS_OK);
    alphapo_client_builder *b = fresh_builder();
    /* A closed port: nothing in this test may reach the network. */
    CHECK_STATUS(alphapo_client_builder_set_base_url(b, "http://127.0.0.1:9/api/v2", false, NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_max_retries(b, 0, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_build(b, &client, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_prepare(client, ALPHAPO_OPERATION_ACCOUNTS_LIST, "{}", &prepared,
                                        NULL),
                 ALPHAPO_STATUS_OK);
    static const char reply[] = "{\"data\":{\"amount\":\"0.106.75000000\",\"id\":7}}";
    CHECK_STATUS(alphapo_decode_reply(ALPHAPO_OPERATION_INVOICES_CREATE, 201,
                                      (const uint8_t *)reply, sizeof reply - 1, &response, NULL),
                 ALPHAPO_STATUS_OK);
    static const char refused[] = "{\"errors\":{\"amount\":\"too small\",\"code\":\"c\"}}";
    alphapo_response *unused = NULL;
    CHECK_STATUS(alphapo_decode_reply(ALPHAPO_OPERATION_INVOICES_CREATE, 400,
                                      (const uint8_t *)refused, sizeof refused - 1, &unused,
                                      &error_obj),
                 ALPHAPO_STATUS_API);
    /* A complete invoice, so that the probes reach their NULL out-parameters. */
    invoice = valid_invoice_request("bad-input-1");
}

static void teardown(void) {
    alphapo_request_free(invoice);
    alphapo_error_free(error_obj);
    alphapo_response_free(response);
    alphapo_prepared_free(prepared);
    alphapo_client_free(client);
    alphapo_callback_free(callback);
    alphapo_signer_free(signer);
}

int main(void) {
    int declared = check_table_against_header();
    setup();
    for (size_t i = 0; i < PROBE_COUNT; i++) {
        int before = checks_run;
        PROBES[i].run();
        checks_run++;
        if (checks_run - before < 2) {
            checks_failed++;
            fprintf(stderr, "probe %s checked nothing\n", PROBES[i].name);
        }
    }
    teardown();
    printf("test_bad_input: %d functions declared in the header, %d probed\n", declared,
           (int)PROBE_COUNT);
    return checks_report("test_bad_input");
}
