/* Creates an invoice, its fields set one by one, and prints its payment URL.
 *
 * Runs against the local sandbox by default:
 *   cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
 *   ALPHAPO_BASE_URL=http://127.0.0.1:8080/api/v2 ./create_invoice
 * For production leave ALPHAPO_BASE_URL unset and set ALPHAPO_KEY / ALPHAPO_SECRET.
 */
#include <stdio.h>

#include "alphapo.h"
#include "example.h" /* example_client(), fail(), order_foreign_id() */

int main(void) {
    alphapo_error *err = NULL;
    alphapo_status st;

    /* One client per process: it is thread-safe and keeps connections alive. */
    alphapo_client *client = example_client("create_invoice-example/1.0");
    if (!client) return 1;

    char foreign_id[64];
    order_foreign_id(foreign_id, sizeof foreign_id);

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
