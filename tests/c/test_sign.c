/* Signing: the official vector, the pre-keyed signer, verification rules and bad input. */
#include <stdlib.h>

#include "alphapo.h"
#include "check.h"

static const char SECRET[] = "AbCdEfG123456";
static const char BODY[] = "{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}";
static const char VECTOR[] =
    "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9"
    "d865546fda58989c2ae9e8e2ff7bc29195fa1ec";

#define S ((const uint8_t *)SECRET), (sizeof SECRET - 1)
#define B ((const uint8_t *)BODY), (sizeof BODY - 1)

static void test_vector(void) {
    char out[129];
    memset(out, 'x', sizeof out);
    CHECK_STATUS(alphapo_sign(S, B, out, sizeof out), ALPHAPO_STATUS_OK);
    CHECK_STR(out, VECTOR);
    CHECK_STATUS(alphapo_verify(S, B, VECTOR, strlen(VECTOR)), ALPHAPO_STATUS_OK);

    char upper[129];
    for (size_t i = 0; i < 129; i++) {
        upper[i] = (char)((VECTOR[i] >= 'a' && VECTOR[i] <= 'f') ? VECTOR[i] - 32 : VECTOR[i]);
    }
    CHECK_STATUS(alphapo_verify(S, B, upper, 128), ALPHAPO_STATUS_OK);
}

static void test_mismatch(void) {
    char bad[129];
    memcpy(bad, VECTOR, sizeof bad);
    bad[127] = bad[127] == '0' ? '1' : '0';
    CHECK_STATUS(alphapo_verify(S, B, bad, 128), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_verify(S, B, VECTOR, 127), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_verify(S, B, VECTOR, 0), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    memcpy(bad, VECTOR, sizeof bad);
    bad[0] = 'z';
    CHECK_STATUS(alphapo_verify(S, B, bad, 128), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_verify((const uint8_t *)"other", 5, B, VECTOR, 128),
                 ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    const char changed[] = "{\"currency\":\"BTC\",\"foreign_id\":\"123457\"}";
    CHECK_STATUS(alphapo_verify(S, (const uint8_t *)changed, sizeof changed - 1, VECTOR, 128),
                 ALPHAPO_STATUS_SIGNATURE_MISMATCH);
}

static void test_signer(void) {
    alphapo_signer *signer = NULL;
    CHECK_STATUS(alphapo_signer_new(S, &signer), ALPHAPO_STATUS_OK);
    CHECK(signer != NULL);
    char out[129];
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(alphapo_signer_sign(signer, B, out, sizeof out), ALPHAPO_STATUS_OK);
        CHECK_STR(out, VECTOR);
    }
    CHECK_STATUS(alphapo_signer_verify(signer, B, VECTOR, 128), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_signer_verify(signer, B, VECTOR, 64), ALPHAPO_STATUS_SIGNATURE_MISMATCH);
    CHECK_STATUS(alphapo_signer_sign(signer, B, out, 128), ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(alphapo_signer_sign(NULL, B, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign(signer, NULL, 5, out, sizeof out),
                 ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_sign(signer, B, NULL, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_verify(NULL, B, VECTOR, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_verify(signer, B, NULL, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_new(S, NULL), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_signer_new(NULL, 3, &signer), ALPHAPO_STATUS_NULL_ARGUMENT);
    alphapo_signer_free(signer);
    alphapo_signer_free(NULL);
}

static void test_bad_input(void) {
    char out[129];
    char small[128];
    CHECK_STATUS(alphapo_sign(S, B, small, sizeof small), ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(alphapo_sign(S, B, out, 0), ALPHAPO_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(alphapo_sign(NULL, 3, B, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_sign(S, NULL, 3, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_sign(S, B, NULL, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_verify(NULL, 3, B, VECTOR, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_verify(S, NULL, 3, VECTOR, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(alphapo_verify(S, B, NULL, 128), ALPHAPO_STATUS_NULL_ARGUMENT);
    /* NULL with length 0 is an empty input, as in the contract. */
    CHECK_STATUS(alphapo_sign(NULL, 0, NULL, 0, out, sizeof out), ALPHAPO_STATUS_OK);
    CHECK(strlen(out) == 128);
    /* A huge length with a NULL pointer is refused before any read. */
    CHECK_STATUS(alphapo_sign(S, NULL, (size_t)-1, out, sizeof out), ALPHAPO_STATUS_NULL_ARGUMENT);
    /* Binary bodies (embedded NULs, invalid UTF-8) are just bytes. */
    const uint8_t binary[] = {0x00, 0xff, 0xfe, 0x00, 0x41};
    CHECK_STATUS(alphapo_sign(S, binary, sizeof binary, out, sizeof out), ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_verify(S, binary, sizeof binary, out, 128), ALPHAPO_STATUS_OK);
}

static void test_names_and_version(void) {
    CHECK_STR(alphapo_status_name(ALPHAPO_STATUS_OK), "ALPHAPO_STATUS_OK");
    CHECK_STR(alphapo_status_name(ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID),
              "ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID");
    CHECK_STR(alphapo_status_name(ALPHAPO_STATUS_PANIC), "ALPHAPO_STATUS_PANIC");
    CHECK_STR(alphapo_status_name(7), "ALPHAPO_STATUS_UNKNOWN");
    CHECK_STR(alphapo_version(), ALPHAPO_VERSION);
    alphapo_string_free(NULL);
}

static void test_panic_boundary(void) {
    alphapo_error *err = NULL;
    CHECK_STATUS(alphapo_test_panic(&err), ALPHAPO_STATUS_PANIC);
    CHECK(err != NULL && alphapo_error_status(err) == ALPHAPO_STATUS_PANIC);
    CHECK(err != NULL && strstr(alphapo_error_message(err), "deliberate panic") != NULL);
    alphapo_error_free(err);
    CHECK_STATUS(alphapo_test_panic(NULL), ALPHAPO_STATUS_PANIC);
    /* The process is alive and the library still works. */
    char out[129];
    CHECK_STATUS(alphapo_sign(S, B, out, sizeof out), ALPHAPO_STATUS_OK);
    CHECK_STR(out, VECTOR);
}

int main(void) {
    test_panic_boundary();
    test_vector();
    test_mismatch();
    test_signer();
    test_bad_input();
    test_names_and_version();
    return checks_report("test_sign");
}
