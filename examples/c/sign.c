/* Signs a request body and verifies a signature with libalphapo.
 *
 *   cc -std=c99 -Iinclude examples/c/sign.c -Ltarget/release -lalphapo \
 *      -Wl,-rpath,target/release -o sign && ./sign
 */
#include <stdio.h>
#include <string.h>

#include "alphapo.h"

int main(void) {
    const char *secret = "AbCdEfG123456";
    const char *body = "{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}";
    char signature[129];

    alphapo_status st = alphapo_sign((const uint8_t *)secret, strlen(secret),
                                     (const uint8_t *)body, strlen(body),
                                     signature, sizeof signature);
    if (st != ALPHAPO_STATUS_OK) {
        fprintf(stderr, "sign failed: %s\n", alphapo_status_name(st));
        return 1;
    }
    printf("X-Processing-Signature: %s\n", signature);

    /* Verification is constant time over the exact bytes; either hex case is accepted. */
    st = alphapo_verify((const uint8_t *)secret, strlen(secret), (const uint8_t *)body,
                        strlen(body), signature, strlen(signature));
    printf("verify: %s\n", alphapo_status_name(st));

    /* A pre-keyed signer hashes only the body on each call: keep one per secret. */
    alphapo_signer *signer = NULL;
    if (alphapo_signer_new((const uint8_t *)secret, strlen(secret), &signer) != ALPHAPO_STATUS_OK) {
        return 1;
    }
    st = alphapo_signer_sign(signer, (const uint8_t *)body, strlen(body), signature,
                             sizeof signature);
    printf("pre-keyed: %s (%s)\n", signature, alphapo_status_name(st));
    alphapo_signer_free(signer);
    return st == ALPHAPO_STATUS_OK ? 0 : 1;
}
