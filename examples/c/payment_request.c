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

#include "alphapo.h"
#include "example.h" /* example_client(), fail(), order_foreign_id() */

int main(void) {
    alphapo_error *err = NULL;
    alphapo_status st;

    alphapo_client *client = example_client(NULL);
    if (!client) return 1;

    char foreign_id[64];
    order_foreign_id(foreign_id, sizeof foreign_id);

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
