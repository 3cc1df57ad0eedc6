/* Cold start: the time to dlopen libalphapo, resolve the signer functions, key a signer
 * and make the first signature, in a fresh process (bench/run.sh runs it many times and
 * takes the median). Prints the three figures in ns, separated by spaces:
 * dlopen, first signature (signer_new + sign), total. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef int (*signer_new_fn)(const uint8_t *, size_t, void **);
typedef int (*signer_sign_fn)(const void *, const uint8_t *, size_t, char *, size_t);
typedef void (*signer_free_fn)(void *);

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: dlopen PATH_TO_LIBALPHAPO\n");
        return 2;
    }
    static const char body[] = "{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}";
    char out[129];
    void *signer = NULL;
    double t0 = now_ns();
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    double t1 = now_ns();
    /* The POSIX idiom for a function pointer from dlsym (ISO C has no such conversion). */
    signer_new_fn signer_new;
    signer_sign_fn signer_sign;
    signer_free_fn signer_free;
    *(void **)&signer_new = dlsym(lib, "alphapo_signer_new");
    *(void **)&signer_sign = dlsym(lib, "alphapo_signer_sign");
    *(void **)&signer_free = dlsym(lib, "alphapo_signer_free");
    if (!signer_new || !signer_sign || !signer_free) return 1;
    if (signer_new((const uint8_t *)"AbCdEfG123456", 13, &signer) != 0) return 1;
    if (signer_sign(signer, (const uint8_t *)body, strlen(body), out, sizeof out) != 0) return 1;
    double t2 = now_ns();
    if (strcmp(out, "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec") != 0) {
        fprintf(stderr, "wrong signature %s\n", out);
        return 1;
    }
    signer_free(signer);
    printf("%.0f %.0f %.0f\n", t1 - t0, t2 - t1, t2 - t0);
    return 0;
}
