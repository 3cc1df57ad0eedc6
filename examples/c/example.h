/* What the C examples share: the client, built from the environment, and how a failure is
 * printed. Each example includes it from its own folder.
 *
 *   ALPHAPO_BASE_URL   the API's v2 base URL; unset: production. The sandbox prints its own:
 *                      cargo run --release --example sandbox -- --listen 127.0.0.1:8080
 *   ALPHAPO_KEY        the merchant key (default: the sandbox's, sandbox-key)
 *   ALPHAPO_SECRET     the merchant secret (default: the sandbox's, sandbox-secret)
 */
#ifndef ALPHAPO_EXAMPLE_H
#define ALPHAPO_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alphapo.h"

/* Prints what failed: its status, message and field errors, and for a request that may
 * have reached the service (OUTCOME_UNKNOWN) what to do instead of sending it again.
 * Frees err; returns 1, the exit code. */
static inline int fail(const char *what, alphapo_status st, alphapo_error *err) {
    fprintf(stderr, "%s failed: %s: %s\n", what, alphapo_status_name(st),
            err ? alphapo_error_message(err) : "");
    for (size_t i = 0; i < alphapo_error_field_count(err); i++) {
        fprintf(stderr, "  %s: %s\n", alphapo_error_field_name(err, i),
                alphapo_error_field_message(err, i));
    }
    if (st == ALPHAPO_STATUS_OUTCOME_UNKNOWN) {
        /* It may have been created: never send it again blindly. Its callback (or the
           dashboard) tells what happened. */
        fprintf(stderr, "  outcome unknown for foreign_id %s: wait for its callback\n",
                alphapo_error_foreign_id(err) ? alphapo_error_foreign_id(err) : "-");
    }
    alphapo_error_free(err);
    return 1;
}

/* The client of ALPHAPO_BASE_URL, ALPHAPO_KEY and ALPHAPO_SECRET; app_info (or NULL) names
 * the program in the User-Agent. NULL after printing why it could not be built.
 * One client per process: it is thread-safe and keeps connections alive. */
static inline alphapo_client *example_client(const char *app_info) {
    const char *base_url = getenv("ALPHAPO_BASE_URL");
    const char *key = getenv("ALPHAPO_KEY") ? getenv("ALPHAPO_KEY") : "sandbox-key";
    const char *secret = getenv("ALPHAPO_SECRET") ? getenv("ALPHAPO_SECRET") : "sandbox-secret";
    alphapo_error *err = NULL;
    alphapo_client_builder *builder = NULL;
    alphapo_status st =
        alphapo_client_builder_new(key, (const uint8_t *)secret, strlen(secret), &builder, &err);
    if (st != ALPHAPO_STATUS_OK) {
        fail("builder", st, err);
        return NULL;
    }
    if (base_url) {
        st = alphapo_client_builder_set_base_url(builder, base_url, false, &err);
        if (st != ALPHAPO_STATUS_OK) {
            alphapo_client_builder_free(builder);
            fail("base url", st, err);
            return NULL;
        }
    }
    if (app_info) alphapo_client_builder_set_app_info(builder, app_info, NULL);
    alphapo_client *client = NULL;
    st = alphapo_client_builder_build(builder, &client, &err); /* consumes the builder */
    if (st != ALPHAPO_STATUS_OK) {
        fail("build", st, err);
        return NULL;
    }
    return client;
}

/* $ALPHAPO_FOREIGN_ID when set and not empty (make demo sets it), else "order-<unix time>". */
static inline void order_foreign_id(char *out, size_t size) {
    const char *given = getenv("ALPHAPO_FOREIGN_ID");
    if (given && given[0]) {
        snprintf(out, size, "%s", given);
    } else {
        snprintf(out, size, "order-%ld", (long)time(NULL));
    }
}

#endif
