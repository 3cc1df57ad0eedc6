/* A withdrawal that is never sent twice: when its outcome is unknown (the reply was lost,
 * the service timed out or failed after the request may have arrived), the library says
 * ALPHAPO_STATUS_OUTCOME_UNKNOWN instead of guessing, and this program looks the withdrawal
 * up by its foreign_id (alphapo_client_reconcile) instead of sending it again.
 *
 *   cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
 *   ALPHAPO_BASE_URL=http://127.0.0.1:8080/api/v2 ./withdraw [foreign_id]
 *
 * Prints "withdrawal <foreign_id>: <status>" and exits 0 once the service's answer is
 * known, whether directly or by reconciling; exits 3 when it is still unknown (wait for the
 * withdrawal callback, then reconcile again), 1 on a definite failure.
 */
#include <stdio.h>
#include <time.h>

#include "alphapo.h"
#include "example.h" /* example_client() */

static const char *or_dash(const char *text) { return text ? text : "-"; }

int main(int argc, char **argv) {
    char foreign_id[128];
    if (argc > 1) {
        snprintf(foreign_id, sizeof foreign_id, "%s", argv[1]);
    } else {
        snprintf(foreign_id, sizeof foreign_id, "payout-%ld", (long)time(NULL));
    }

    alphapo_client *client = example_client(NULL);
    if (!client) return 1;

    alphapo_error *err = NULL;
    char json[512];
    snprintf(json, sizeof json,
             "{\"currency\":\"BTC\",\"address\":\"tb1qexampledestination\",\"amount\":\"0.001\","
             "\"foreign_id\":\"%s\",\"end_user_reference\":\"customer-42\"}",
             foreign_id);
    alphapo_response *withdrawal = NULL;
    alphapo_status st =
        alphapo_client_call(client, ALPHAPO_OPERATION_WITHDRAWAL_CRYPTO, json, &withdrawal, &err);
    int code = 0;
    if (st == ALPHAPO_STATUS_OK) {
        printf("withdrawal %s: %s\n", foreign_id, or_dash(alphapo_response_get(withdrawal, "status")));
        alphapo_response_free(withdrawal);
    } else if (st == ALPHAPO_STATUS_OUTCOME_UNKNOWN) {
        /* Never send it again with a new foreign_id: it may have gone out. Look it up. */
        printf("outcome unknown (%s): %s\n", alphapo_status_name(alphapo_error_cause(err)),
               alphapo_error_message(err));
        alphapo_response *found = NULL;
        alphapo_error *lookup_err = NULL;
        st = alphapo_client_reconcile(client, alphapo_error_foreign_id(err), &found, &lookup_err);
        if (st == ALPHAPO_STATUS_OK && found) {
            printf("withdrawal %s: %s (reconciled)\n", foreign_id,
                   or_dash(alphapo_response_get(found, "status")));
            alphapo_response_free(found);
        } else if (st == ALPHAPO_STATUS_OK) {
            printf("withdrawal %s: not found yet; wait for its callback, then look again\n",
                   foreign_id);
            code = 3;
        } else {
            printf("lookup failed: %s; wait for the callback\n", alphapo_error_message(lookup_err));
            code = 3;
        }
        alphapo_error_free(lookup_err);
        alphapo_error_free(err);
    } else {
        /* A definite refusal: nothing was applied. */
        fprintf(stderr, "withdrawal %s refused: %s: %s\n", foreign_id, alphapo_status_name(st),
                err ? alphapo_error_message(err) : "");
        alphapo_error_free(err);
        code = 1;
    }
    alphapo_client_free(client);
    return code;
}
