/* Invoices from C against the sandbox: typed builder, JSON request, prepare, field
 * errors without any request sent, API errors with their details, tolerant decoding. */
#include <stdlib.h>
#include <time.h>

#include "alphapo.h"
#include "check.h"

static const char *base_url;
static const char *key;
static const char *secret;
static char run_id[32];

static alphapo_client *make_client(const char *url, const char *sec) {
    alphapo_client_builder *b = NULL;
    alphapo_client *client = NULL;
    CHECK_STATUS(alphapo_client_builder_new(key, (const uint8_t *)sec, strlen(sec), &b, NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_base_url(b, url, false, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_timeouts(b, 2000, 5000, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_max_retries(b, 0, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_build(b, &client, NULL), ALPHAPO_STATUS_OK);
    return client;
}

static int contains(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) return 1;
    }
    return 0;
}

static int has_field(const alphapo_error *err, const char *field) {
    for (size_t i = 0; i < alphapo_error_field_count(err); i++) {
        if (strcmp(alphapo_error_field_name(err, i), field) == 0) return 1;
    }
    return 0;
}

static void test_typed_round_trip(alphapo_client *client) {
    char fid[64];
    snprintf(fid, sizeof fid, "c-typed-%s", run_id);
    alphapo_request *r = valid_invoice_request(fid);
    alphapo_response *resp = NULL;
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_client_call_request(client, r, &resp, &err), ALPHAPO_STATUS_OK);
    CHECK(err == NULL);
    if (resp) {
        CHECK(alphapo_response_http_status(resp) / 100 == 2);
        CHECK_STR(alphapo_response_get(resp, "foreign_id"), fid);
        CHECK_STR(alphapo_response_get(resp, "currency"), "EUR");
        CHECK(strncmp(alphapo_response_get(resp, "amount"), "106.75", 6) == 0);
        CHECK(alphapo_response_get(resp, "url") != NULL);
        CHECK(alphapo_response_get(resp, "no.such.path") == NULL);
        CHECK(alphapo_response_malformed_count(resp) == 0);
        size_t len = 0;
        const uint8_t *raw = alphapo_response_raw_body(resp, &len);
        CHECK(raw != NULL && len > 10);
        char *json = alphapo_response_json(resp);
        CHECK(json != NULL && strstr(json, "\"data\":{") != NULL);
        alphapo_string_free(json);
        alphapo_response_free(resp);
    }

    /* The same foreign_id again: the API refuses it, and the error says so. */
    resp = NULL;
    CHECK_STATUS(alphapo_client_call_request(client, r, &resp, &err),
                 ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID);
    CHECK(resp == NULL);
    CHECK(err != NULL);
    if (err) {
        CHECK(alphapo_error_status(err) == ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID);
        CHECK(alphapo_error_http_status(err) == 400);
        CHECK(has_field(err, "foreign_id"));
        size_t len = 0;
        CHECK(alphapo_error_raw_body(err, &len) != NULL && len > 0);
        alphapo_error_free(err);
    }
    alphapo_request_free(r);
}

static void test_json_request_and_prepare(alphapo_client *client) {
    char json[512];
    snprintf(json, sizeof json,
             "{\"title\":\"JSON order\",\"currency\":\"EUR\",\"amount\":\"12.10\",\"end_user_reference\":\"7\","
             "\"foreign_id\":\"c-json-%s\",\"timer\":true,\"type\":\"good_until_expired\"}",
             run_id);
    alphapo_prepared *p = NULL;
    CHECK_STATUS(alphapo_client_prepare(client, ALPHAPO_OPERATION_INVOICES_CREATE, json, &p, NULL),
                 ALPHAPO_STATUS_OK);
    if (p) {
        CHECK_STR(alphapo_prepared_method(p), "POST");
        CHECK(strstr(alphapo_prepared_url(p), "/api/v2/invoices/create") != NULL);
        size_t len = 0;
        const char *body = (const char *)alphapo_prepared_body(p, &len);
        CHECK(len > 0 && contains(body, len, "\"amount\":12.10,"));
        CHECK(alphapo_prepared_header_count(p) == 3);
        CHECK_STR(alphapo_prepared_header_name(p, 1), "X-Processing-Signature");
        char expected[129];
        CHECK_STATUS(alphapo_sign((const uint8_t *)secret, strlen(secret), (const uint8_t *)body,
                                  len, expected, sizeof expected),
                     ALPHAPO_STATUS_OK);
        CHECK_STR(alphapo_prepared_header_value(p, 1), expected);
        CHECK_STR(alphapo_prepared_header_value(p, 2), "application/json");
        CHECK(alphapo_prepared_header_name(p, 3) == NULL);

        alphapo_response *resp = NULL;
        CHECK_STATUS(alphapo_client_send(client, p, &resp, NULL), ALPHAPO_STATUS_OK);
        CHECK(resp != NULL && strncmp(alphapo_response_get(resp, "amount"), "12.1", 4) == 0);
        alphapo_response_free(resp);
        alphapo_prepared_free(p);
    }
    alphapo_response *resp = NULL;
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_client_call(client, ALPHAPO_OPERATION_INVOICES_CREATE, "{\"titel\":1}",
                                     &resp, &err),
                 ALPHAPO_STATUS_VALIDATION);
    CHECK(err != NULL && has_field(err, "titel"));
    alphapo_error_free(err);
    err = NULL;
    CHECK_STATUS(alphapo_client_call(client, ALPHAPO_OPERATION_INVOICES_CREATE, "{not json", &resp,
                                     &err),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    alphapo_error_free(err);
    CHECK_STATUS(alphapo_client_call(client, 999, NULL, &resp, NULL),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
}

/* Field errors come back before anything is sent: this client points at a port where
 * nothing listens, so any request would fail with TRANSPORT instead. */
static void test_field_errors_without_network(void) {
    alphapo_client *offline = make_client("http://127.0.0.1:9/api/v2", secret);
    alphapo_request *r = valid_invoice_request("c-offline");
    char title[52];
    memset(title, 'x', 51);
    title[51] = '\0';
    alphapo_request_set(r, "title", title, NULL);
    alphapo_request_set(r, "url_success", "http://shop.example.com/ok", NULL);
    alphapo_request_set(r, "url_failed", "https://127.0.0.1/", NULL);
    alphapo_response *resp = NULL;
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_client_call_request(offline, r, &resp, &err), ALPHAPO_STATUS_VALIDATION);
    CHECK(resp == NULL);
    if (err) {
        CHECK(alphapo_error_field_count(err) == 3);
        CHECK(has_field(err, "title"));
        CHECK(has_field(err, "url_success"));
        CHECK(has_field(err, "url_failed"));
        CHECK(alphapo_error_http_status(err) == 0);
        char *fields = alphapo_error_fields_json(err);
        CHECK(fields != NULL && strstr(fields, "\"title\":") != NULL);
        alphapo_string_free(fields);
        alphapo_error_free(err);
    }
    /* A valid request to the same client does reach the network (and fails there). */
    alphapo_request *ok = valid_invoice_request("c-offline-2");
    err = NULL;
    CHECK_STATUS(alphapo_client_call_request(offline, ok, &resp, &err), ALPHAPO_STATUS_TRANSPORT);
    alphapo_error_free(err);
    alphapo_request_free(ok);
    alphapo_request_free(r);
    alphapo_client_free(offline);
}

static void test_auth_error(void) {
    alphapo_client *wrong = make_client(base_url, "not-the-secret");
    alphapo_response *resp = NULL;
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_client_call(wrong, ALPHAPO_OPERATION_ACCOUNTS_LIST, NULL, &resp, &err),
                 ALPHAPO_STATUS_AUTH);
    if (err) {
        CHECK(alphapo_error_http_status(err) == 403);
        CHECK_STR(alphapo_error_code(err), "bad_header_signature");
        CHECK(strstr(alphapo_error_message(err), "not-the-secret") == NULL);
        alphapo_error_free(err);
    }
    alphapo_client_free(wrong);
}

/* The documentation's own reply: malformed amount, numeric end_user_reference. */
static void test_tolerant_decoding(void) {
    const char seed[] =
        "{\"data\":{\"id\":127,\"url\":\"https://wallet.coinspaid.com/invoice/iEU3uh\","
        "\"foreign_id\":\"user_196\",\"end_user_reference\":12345,\"address\":null,"
        "\"title\":\"Invoice 171\",\"status\":\"created\",\"currency\":\"EUR\","
        "\"amount\":\"0.106.75000000\",\"sender_currency\":null,\"sender_amount\":null,"
        "\"fixed_at\":null,\"release_at\":null,\"seconds_left\":null,\"new_field\":[1]}}";
    alphapo_response *resp = NULL;
    CHECK_STATUS(alphapo_decode_reply(ALPHAPO_OPERATION_INVOICES_CREATE, 200, (const uint8_t *)seed,
                                      sizeof seed - 1, &resp, NULL),
                 ALPHAPO_STATUS_OK);
    if (resp) {
        CHECK_STR(alphapo_response_get(resp, "end_user_reference"), "12345");
        CHECK_STR(alphapo_response_get(resp, "amount"), "0.106.75000000");
        CHECK(alphapo_response_malformed_count(resp) == 1);
        CHECK_STR(alphapo_response_malformed(resp, 0), "amount");
        CHECK_STR(alphapo_response_get(resp, "new_field.0"), "1");
        CHECK(alphapo_response_get(resp, "address") == NULL);
        alphapo_response_free(resp);
    }
    const char html[] = "<html><body>502 Bad Gateway</body></html>";
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_decode_reply(ALPHAPO_OPERATION_INVOICES_CREATE, 502, (const uint8_t *)html,
                                      sizeof html - 1, &resp, &err),
                 ALPHAPO_STATUS_SERVER);
    if (err) {
        size_t len = 0;
        const uint8_t *raw = alphapo_error_raw_body(err, &len);
        CHECK(len == sizeof html - 1 && raw && memcmp(raw, html, len) == 0);
        alphapo_error_free(err);
    }
}

static void test_bad_arguments(alphapo_client *client) {
    alphapo_response *resp = NULL;
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_client_call(NULL, ALPHAPO_OPERATION_PING, NULL, &resp, &err),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK(err != NULL && alphapo_error_status(err) == ALPHAPO_STATUS_NULL_ARGUMENT);
    alphapo_error_free(err);
    CHECK_STATUS(alphapo_client_call(client, ALPHAPO_OPERATION_PING, NULL, NULL, NULL),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_client_call_request(client, NULL, &resp, NULL),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    const char bad_utf8[] = {'{', '"', (char)0xff, '"', ':', '1', '}', 0};
    CHECK_STATUS(alphapo_client_call(client, ALPHAPO_OPERATION_ACCOUNTS_LIST, bad_utf8, &resp, NULL),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    alphapo_request *r = NULL;
    alphapo_request_new(ALPHAPO_OPERATION_INVOICES_CREATE, &r, NULL);
    CHECK_STATUS(alphapo_request_set(r, "title", bad_utf8, NULL),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_request_set(r, "title", NULL, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_request_set(NULL, "title", "t", NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    alphapo_request_free(r);
    alphapo_client_builder *b = NULL;
    CHECK_STATUS(alphapo_client_builder_new(bad_utf8, (const uint8_t *)"s", 1, &b, NULL),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_client_builder_new(NULL, (const uint8_t *)"s", 1, &b, NULL),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_client_builder_new("k", (const uint8_t *)"s", 1, &b, NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_environment(b, 77, NULL),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_client_builder_set_base_url(b, "http://example.com/api/v2", false, NULL),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_client_builder_set_ca_file(b, "/nonexistent/ca.pem", NULL),
                 ALPHAPO_STATUS_OK);
    alphapo_client *c = NULL;
    err = NULL;
    CHECK_STATUS(alphapo_client_builder_build(b, &c, &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(c == NULL && err != NULL && strstr(alphapo_error_message(err), "CA file") != NULL);
    alphapo_error_free(err);
    alphapo_client_builder_free(NULL);
    alphapo_client_free(NULL);
    alphapo_response_free(NULL);
    alphapo_prepared_free(NULL);
    alphapo_error_free(NULL);
    alphapo_request_free(NULL);
    CHECK(alphapo_response_get(NULL, "id") == NULL);
    CHECK(alphapo_error_message(NULL) == NULL);
    CHECK(alphapo_error_status(NULL) == ALPHAPO_STATUS_NULL_ARGUMENT);
}

/* The request builder serves every operation: nested fields by dotted names, non-string
 * values as JSON, the body serialized by the core (customer text needs no escaping). */
static void test_request_builder(alphapo_client *client) {
    alphapo_request *r = NULL;
    CHECK_STATUS(alphapo_request_new(99, &r, NULL), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK(r == NULL);
    CHECK_STATUS(alphapo_request_new(ALPHAPO_OPERATION_PAYMENT_REQUESTS_CREATE, &r, NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "amount", "100.50", NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "currency.iso", "EUR", NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set_json(r, "life_time_duration", "3600", NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "description", "Order \"42\" \\ caf\xc3\xa9", NULL),
                 ALPHAPO_STATUS_OK);
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_request_set(r, "amount.x", "1", &err), ALPHAPO_STATUS_INVALID_ARGUMENT);
    alphapo_error_free(err);
    CHECK_STATUS(alphapo_request_set(r, "a..b", "1", NULL), ALPHAPO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(alphapo_request_set_json(r, "life_time_duration", "{oops", NULL),
                 ALPHAPO_STATUS_INVALID_ARGUMENT);
    alphapo_prepared *p = NULL;
    CHECK_STATUS(alphapo_client_prepare_request(client, r, &p, NULL), ALPHAPO_STATUS_OK);
    if (p) {
        size_t len = 0;
        const char *body = (const char *)alphapo_prepared_body(p, &len);
        const char want[] = "{\"amount\":\"100.50\",\"currency\":{\"iso\":\"EUR\"},"
                            "\"life_time_duration\":3600,\"description\":\"Order \\\"42\\\" "
                            "\\\\ caf\xc3\xa9\"}";
        CHECK(len == sizeof want - 1 && memcmp(body, want, len) == 0);
        CHECK(strstr(alphapo_prepared_url(p), "/api/payments/v1/requests") != NULL);
        alphapo_prepared_free(p);
    }
    /* A missing lifetime is a field error, nothing sent. */
    alphapo_request *no_life = NULL;
    alphapo_request_new(ALPHAPO_OPERATION_PAYMENT_REQUESTS_CREATE, &no_life, NULL);
    alphapo_request_set(no_life, "amount", "1", NULL);
    alphapo_request_set(no_life, "currency.iso", "EUR", NULL);
    err = NULL;
    alphapo_response *resp = NULL;
    CHECK_STATUS(alphapo_client_call_request(client, no_life, &resp, &err), ALPHAPO_STATUS_VALIDATION);
    CHECK(resp == NULL && alphapo_error_attempts_json(err) == NULL);
    alphapo_error_free(err);
    alphapo_request_free(no_life);
    alphapo_request_free(r);
}

int main(void) {
    base_url = getenv("ALPHAPO_BASE_URL");
    key = getenv("ALPHAPO_KEY");
    secret = getenv("ALPHAPO_SECRET");
    if (!base_url || !key || !secret) {
        fprintf(stderr, "ALPHAPO_BASE_URL, ALPHAPO_KEY and ALPHAPO_SECRET must be set (tests/c/run.sh)\n");
        return 2;
    }
    snprintf(run_id, sizeof run_id, "%ld-%d", (long)time(NULL), (int)(clock() % 100000));
    alphapo_client *client = make_client(base_url, secret);
    test_typed_round_trip(client);
    test_json_request_and_prepare(client);
    test_field_errors_without_network();
    test_auth_error();
    test_tolerant_decoding();
    test_bad_arguments(client);
    test_request_builder(client);
    alphapo_client_free(client);
    return checks_report("test_invoice");
}
