/* Signing from C, side by side in one process: the library's pre-keyed signer against
 * OpenSSL's one-shot HMAC() (what a C merchant writes by hand), for a 300-byte body; and
 * the signer's throughput on a 1 MiB body against SHA-512 in OpenSSL (EVP_Digest).
 *
 *   sign [--quick]
 *   sign --big SECONDS     (only the signer on 1 MiB, for run.sh to interleave with
 *                           `openssl speed -evp sha512`)
 *
 * Cases alternate round by round; each figure is the median round; each ratio the median
 * of the per-round ratios. One JSON object per figure on stdout. */
#include "common.h"

#include <alphapo.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#define SECRET "sandbox-secret"
#define MAX_ROUNDS 64

static const char HEX[] = "0123456789abcdef";

/* What a merchant writes: HMAC() one-shot, then lowercase hex. */
static void openssl_hmac_hex(const unsigned char *body, size_t len, char out[129]) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha512(), SECRET, (int)strlen(SECRET), body, len, mac, &mac_len)) die("HMAC failed");
    for (unsigned int i = 0; i < mac_len; i++) {
        out[2 * i] = HEX[mac[i] >> 4];
        out[2 * i + 1] = HEX[mac[i] & 15];
    }
    out[128] = 0;
}

/* The fastest OpenSSL can do for a pre-keyed HMAC (for reference): one EVP_MAC_CTX keyed
 * once, re-initialised with no key (which keeps the absorbed pads) for each message. */
static EVP_MAC_CTX *prekeyed;
static void openssl_prekeyed_hex(const unsigned char *body, size_t len, char out[129]) {
    unsigned char mac[64];
    size_t mac_len = 0;
    if (!EVP_MAC_init(prekeyed, NULL, 0, NULL) || !EVP_MAC_update(prekeyed, body, len) ||
        !EVP_MAC_final(prekeyed, mac, &mac_len, sizeof mac))
        die("EVP_MAC failed");
    for (size_t i = 0; i < mac_len; i++) {
        out[2 * i] = HEX[mac[i] >> 4];
        out[2 * i + 1] = HEX[mac[i] & 15];
    }
    out[128] = 0;
}

static alphapo_signer *signer;
static void library_signer_hex(const unsigned char *body, size_t len, char out[129]) {
    if (alphapo_signer_sign(signer, body, len, out, 129) != ALPHAPO_STATUS_OK) die("alphapo_signer_sign failed");
}

static void library_oneshot_hex(const unsigned char *body, size_t len, char out[129]) {
    if (alphapo_sign((const uint8_t *)SECRET, strlen(SECRET), body, len, out, 129) != ALPHAPO_STATUS_OK)
        die("alphapo_sign failed");
}

typedef void (*sign_fn)(const unsigned char *, size_t, char[129]);

struct sign_case {
    const char *key;
    const char *label;
    sign_fn fn;
    double samples[MAX_ROUNDS];
};

/* Runs the cases in alternating rounds of `iters` signatures each. */
static void run_group(struct sign_case *cases, size_t ncases, const unsigned char *body,
                      size_t len, long iters, int rounds) {
    char out[129];
    for (size_t c = 0; c < ncases; c++)
        for (long i = 0; i < iters; i++) cases[c].fn(body, len, out); /* warm-up */
    for (int r = 0; r < rounds; r++) {
        for (size_t k = 0; k < ncases; k++) {
            size_t c = (r % 2 == 0) ? k : ncases - 1 - k;
            double t0 = now_ns();
            for (long i = 0; i < iters; i++) cases[c].fn(body, len, out);
            cases[c].samples[r] = (now_ns() - t0) / (double)iters;
        }
    }
}

/* The median over rounds of a/b. */
static double ratio_median(const double *a, const double *b, int rounds) {
    double r[MAX_ROUNDS];
    for (int i = 0; i < rounds; i++) r[i] = a[i] / b[i];
    return median(r, (size_t)rounds);
}

/* The signer alone on a 1 MiB body for `seconds`: one MB/s figure. */
static void big_only(double seconds) {
    size_t len = (size_t)1 << 20;
    unsigned char *big = malloc(len);
    if (!big) die("out of memory");
    for (size_t i = 0; i < len; i++) big[i] = (unsigned char)(i * 31u);
    char out[129];
    library_signer_hex(big, len, out); /* warm-up */
    long n = 0;
    double t0 = now_ns(), t = t0;
    while (t - t0 < seconds * 1e9) {
        library_signer_hex(big, len, out);
        n++;
        t = now_ns();
    }
    emit("c.sign1m.signer_round_mbps", (double)len * (double)n / (t - t0) * 1e3, "MB/s");
    free(big);
}

int main(int argc, char **argv) {
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int rounds = quick ? 7 : 21;

    if (alphapo_signer_new((const uint8_t *)SECRET, strlen(SECRET), &signer) != ALPHAPO_STATUS_OK)
        die("alphapo_signer_new failed");
    if (argc > 2 && strcmp(argv[1], "--big") == 0) {
        big_only(atof(argv[2]));
        alphapo_signer_free(signer);
        return 0;
    }
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    prekeyed = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA512", 0),
                           OSSL_PARAM_construct_end()};
    if (!prekeyed || !EVP_MAC_init(prekeyed, (const unsigned char *)SECRET, strlen(SECRET), params))
        die("EVP_MAC setup failed");

    /* The same 300 bytes for everyone, and the same signature from everyone. */
    unsigned char body[300];
    for (size_t i = 0; i < sizeof body; i++) body[i] = (unsigned char)("{\"k\":\"0123456789abcdef\"}"[i % 24]);
    char a[129], b[129], c[129], d[129];
    library_signer_hex(body, sizeof body, a);
    openssl_hmac_hex(body, sizeof body, b);
    openssl_prekeyed_hex(body, sizeof body, c);
    library_oneshot_hex(body, sizeof body, d);
    if (strcmp(a, b) || strcmp(a, c) || strcmp(a, d)) die("signatures differ");

    struct sign_case small[] = {
        {"c.sign300.signer_ns", "alphapo_signer_sign (pre-keyed)", library_signer_hex, {0}},
        {"c.sign300.openssl_hmac_ns", "OpenSSL HMAC() one-shot + hex", openssl_hmac_hex, {0}},
        {"c.sign300.alphapo_sign_ns", "alphapo_sign (one-shot)", library_oneshot_hex, {0}},
        {"c.sign300.openssl_prekeyed_ns", "OpenSSL EVP_MAC pre-keyed + hex", openssl_prekeyed_hex, {0}},
    };
    size_t nsmall = sizeof small / sizeof small[0];
    run_group(small, nsmall, body, sizeof body, quick ? 4000 : 20000, rounds);
    for (size_t i = 0; i < nsmall; i++) {
        double copy[MAX_ROUNDS];
        memcpy(copy, small[i].samples, sizeof copy);
        double m = median(copy, (size_t)rounds);
        fprintf(stderr, "%-40s %8.0f ns\n", small[i].label, m);
        emit(small[i].key, m, "ns");
    }
    emit("c.sign300.ratio", ratio_median(small[0].samples, small[1].samples, rounds), "x");
    emit("c.sign300.ratio_prekeyed", ratio_median(small[0].samples, small[3].samples, rounds), "x");

    /* 1 MiB: the signer against a bare SHA-512 of the same bytes in OpenSSL. */
    size_t big_len = (size_t)1 << 20;
    unsigned char *big = malloc(big_len);
    if (!big) die("out of memory");
    for (size_t i = 0; i < big_len; i++) big[i] = (unsigned char)(i * 31u);
    double lib_s[MAX_ROUNDS], evp_s[MAX_ROUNDS];
    int big_iters = quick ? 4 : 12;
    char out[129];
    unsigned char md[64];
    unsigned int md_len;
    library_signer_hex(big, big_len, out);
    EVP_Digest(big, big_len, md, &md_len, EVP_sha512(), NULL);
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
            int which = (r + k) % 2;
            double t0 = now_ns();
            for (int i = 0; i < big_iters; i++) {
                if (which == 0)
                    library_signer_hex(big, big_len, out);
                else
                    EVP_Digest(big, big_len, md, &md_len, EVP_sha512(), NULL);
            }
            double mbps = (double)big_len * big_iters / (now_ns() - t0) * 1e3;
            (which == 0 ? lib_s : evp_s)[r] = mbps;
        }
    }
    double ratio = ratio_median(lib_s, evp_s, rounds);
    double lib_m = median(lib_s, (size_t)rounds), evp_m = median(evp_s, (size_t)rounds);
    fprintf(stderr, "%-40s %8.0f MB/s\n%-40s %8.0f MB/s\n", "alphapo_signer_sign, 1 MiB", lib_m,
            "OpenSSL EVP_Digest SHA-512, 1 MiB", evp_m);
    emit("c.sign1m.signer_mbps", lib_m, "MB/s");
    emit("c.sign1m.evp_mbps", evp_m, "MB/s");
    emit("c.sign1m.ratio_evp", ratio, "x");

    free(big);
    EVP_MAC_CTX_free(prekeyed);
    EVP_MAC_free(hmac);
    alphapo_signer_free(signer);
    return 0;
}
