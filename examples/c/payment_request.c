/* Creates a payment request and prints its payment link.
 *
 * Payment requests (POST /api/payments/v1/requests) ask for an amount in a currency and a
 * lifetime; the payer chooses how to pay on the hosted page, and the merchant receives
 * exactly what was asked. Their outcome arrives by callback (type "payment_request"): ship
 * the order on the one for which alphapo_callback_is_fully_paid() is true.
 *
 * Runs against the local sandbox by default:
 *   cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
 *   ALPHAPO_BASE_URL=http://127.0.0.1:8080/api/v2 ./payment_request
 * The payments base (<host>/api/payments/v1) follows the v2 base URL.
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
    if (st == ALPHAPO_STATUS_OUTCOME_UNKNOWN) {
        /* The request may have been created: never send it again blindly. Its callback
           (or the payment request list in the dashboard) tells what happened. */
        fprintf(stderr, "  outcome unknown for foreign_id %s: wait for its callback\n",
                alphapo_error_foreign_id(err) ? alphapo_error_foreign_id(err) : "-");
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
    alphapo_client *client = NULL;
    st = alphapo_client_builder_build(builder, &client, &err); /* consumes the builder */
    if (st != ALPHAPO_STATUS_OK) return fail("build", st, err);

    char foreign_id[64];
    const char *given = getenv("ALPHAPO_FOREIGN_ID");
    if (given && given[0]) {
        snprintf(foreign_id, sizeof foreign_id, "%s", given);
    } else {
        snprintf(foreign_id, sizeof foreign_id, "order-%ld", (long)time(NULL));
    }

    /* The API's own field names; the amount is a decimal string, never a double. The
       library checks every rule (a lifetime is required, https URLs...) before sending. */
    char fields[512];
    snprintf(fields, sizeof fields,
             "{\"amount\": \"100.00\", \"currency\": {\"iso\": \"EUR\"},"
             " \"life_time_duration\": 3600, \"foreign_id\": \"%s\","
             " \"description\": \"Order 1001\","
             " \"url_store\": \"https://shop.example.com/cart\"}",
             foreign_id);
    alphapo_response *request = NULL;
    st = alphapo_client_call(client, ALPHAPO_OPERATION_PAYMENT_REQUESTS_CREATE, fields, &request,
                             &err);
    if (st != ALPHAPO_STATUS_OK) {
        alphapo_client_free(client);
        return fail("create payment request", st, err);
    }
    printf("payment request %s (%s): %s %s until %s, pay at %s\n",
           alphapo_response_get(request, "id"), alphapo_response_get(request, "status"),
           alphapo_response_get(request, "amount"), alphapo_response_get(request, "currency.iso"),
           alphapo_response_get(request, "life_time"),
           alphapo_response_get(request, "payment_link"));
    alphapo_response_free(request);
    alphapo_client_free(client);
    return 0;
}
