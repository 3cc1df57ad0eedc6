/* Minimal assertions for the C tests: count, report, never abort early. And the one valid
 * invoice request the tests build. */
#ifndef ALPHAPO_TEST_CHECK_H
#define ALPHAPO_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

#include "alphapo.h"

static int checks_run = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        checks_run++;                                                                \
        if (!(cond)) {                                                               \
            checks_failed++;                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_STATUS(expr, expected)                                                   \
    do {                                                                               \
        alphapo_status got_ = (expr);                                                  \
        checks_run++;                                                                  \
        if (got_ != (expected)) {                                                      \
            checks_failed++;                                                           \
            fprintf(stderr, "%s:%d: %s gave %s, expected %s\n", __FILE__, __LINE__,    \
                    #expr, alphapo_status_name(got_), alphapo_status_name(expected));  \
        }                                                                              \
    } while (0)

#define CHECK_STR(actual, expected)                                                    \
    do {                                                                               \
        const char *a_ = (actual);                                                     \
        checks_run++;                                                                  \
        if (a_ == NULL || strcmp(a_, (expected)) != 0) {                               \
            checks_failed++;                                                           \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,         \
                    __LINE__, #actual, a_ ? a_ : "(null)", (expected));                \
        }                                                                              \
    } while (0)

/* A complete invoices/create request with this foreign_id, every field checked as set. */
static inline alphapo_request *valid_invoice_request(const char *foreign_id) {
    alphapo_request *r = NULL;
    CHECK_STATUS(alphapo_request_new(ALPHAPO_OPERATION_INVOICES_CREATE, &r, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "title", "Order", NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "currency", "EUR", NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "amount", "106.75", NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "foreign_id", foreign_id, NULL), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "end_user_reference", "12345", NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "url_success", "https://shop.example.com/ok", NULL),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(r, "url_failed", "https://shop.example.com/ko", NULL),
                 ALPHAPO_STATUS_OK);
    return r;
}

static int checks_report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, checks_run - checks_failed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
