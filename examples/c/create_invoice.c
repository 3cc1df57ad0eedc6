/* Creates an invoice, its fields set one by one, and prints its payment URL.
 *
 * Runs against the local sandbox by default:
 *   cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
 *   ALPHAPO_BASE_URL=http://127.0.0.1:8080/api/v2 ./create_invoice
 * For production leave ALPHAPO_BASE_URL unset and set ALPHAPO_KEY / ALPHAPO_SECRET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alphapo.h"

static int fail(const char *what, alphapo_status st, alphapo_error *err) {
    fprintf(stderr, "%s failed: %s: %s\n", what, alphapo_status_name(st),
            err ? alphapo_error_message(err) : "");
    for (size_t i = 0; i < alphapo_error_field_count(err); i++) {
        fprintf(stderr, "  %s: %s\n", alphapo_error_field_name(err, i),
                alphapo_error_field_message(err, i));
    }
    alphapo_error_free(err);
    return 1;
}

int main(void) {
    const char *base_url = getenv("ALPHAPO_BASE_URL");
    const char *key = getenv("ALPHAPO_KEY") ? getenv("ALPHAPO_KEY") : "sandbox-key";
    const char *secret = getenv("ALPHAPO_SECRET") ? getenv("ALPHAPO_SECRET") : "sandbox-secret";
    alphapo_error *err = NULL;
    alphapo_status st;

    /* One client per process: it is thread-safe and keeps connections alive. */
    alphapo_client_builder *builder = NULL;
    st = alphapo_client_builder_new(key, (const uint8_t *)secret, strlen(secret), &builder, &err);
    if (st != ALPHAPO_STATUS_OK) return fail("builder", st, err);
    if (base_url) {
        st = alphapo_client_builder_set_base_url(builder, base_url, false, &err);
        if (st != ALPHAPO_STATUS_OK) {
            alphapo_client_builder_free(builder);
            return fail("base url", st, err);
        }
    }
    alphapo_client_builder_set_app_info(builder, "create_invoice-example/1.0", NULL);
    alphapo_client *client = NULL;
    st = alphapo_client_builder_build(builder, &client, &err); /* consumes the builder */
    if (st != ALPHAPO_STATUS_OK) return fail("build", st, err);

    char foreign_id[64];
    snprintf(foreign_id, sizeof foreign_id, "%s",
             getenv("ALPHAPO_FOREIGN_ID") ? getenv("ALPHAPO_FOREIGN_ID") : "");
    if (foreign_id[0] == '\0') snprintf(foreign_id, sizeof foreign_id, "order-%ld", (long)time(NULL));

    /* The fields by the API's names, one by one: no JSON to write or escape by hand. */
    alphapo_request *req = NULL;
    st = alphapo_request_new(ALPHAPO_OPERATION_INVOICES_CREATE, &req, &err);
    if (st != ALPHAPO_STATUS_OK) {
        alphapo_client_free(client);
        return fail("request", st, err);
    }
    alphapo_request_set(req, "title", "Order 1001", NULL);
    alphapo_request_set(req, "currency", "EUR", NULL);
    alphapo_request_set(req, "amount", "106.75", NULL); /* a decimal string, never a double */
    alphapo_request_set(req, "foreign_id", foreign_id, NULL);
    alphapo_request_set(req, "end_user_reference", "customer-42", NULL);
    alphapo_request_set(req, "url_success", "https://shop.example.com/paid", NULL);
    alphapo_request_set(req, "url_failed", "https://shop.example.com/failed", NULL);

    /* Every rule is checked here, before anything is sent. */
    alphapo_response *invoice = NULL;
    st = alphapo_client_call_request(client, req, &invoice, &err);
    alphapo_request_free(req);
    if (st != ALPHAPO_STATUS_OK) {
        alphapo_client_free(client);
        return fail("create invoice", st, err);
    }
    printf("invoice %s (%s): pay %s %s at %s\n", alphapo_response_get(invoice, "id"),
           alphapo_response_get(invoice, "status"), alphapo_response_get(invoice, "amount"),
           alphapo_response_get(invoice, "currency"), alphapo_response_get(invoice, "url"));
    alphapo_response_free(invoice);
    alphapo_client_free(client);
    return 0;
}
