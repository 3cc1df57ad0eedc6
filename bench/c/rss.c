/* Memory from C: resident set size after the first 1 000 signatures and 1 000 invoices,
 * then after 1 000 000 signatures and 100 000 invoices in total (same signer, same client).
 *
 *   rss BASE_URL KEY SECRET [--quick]      (--quick: 100 000 and 10 000)
 *
 * The sandbox is reset every 40 000 invoices to stay below its object cap. */
#include "common.h"

#include <alphapo.h>

static alphapo_client *client;
static const char *base_url;
static long made;

static void invoices(long n) {
    char json[512];
    for (long i = 0; i < n; i++) {
        if (made > 0 && made % 40000 == 0) sandbox_reset(base_url);
        made++;
        snprintf(json, sizeof json,
                 "{\"timer\":false,\"title\":\"Order 1001\",\"currency\":\"EUR\",\"amount\":\"106.75\","
                 "\"foreign_id\":\"rss-%ld\",\"end_user_reference\":\"customer-42\","
                 "\"url_success\":\"https://shop.example.com/paid\","
                 "\"url_failed\":\"https://shop.example.com/failed\"}",
                 made);
        alphapo_response *inv = NULL;
        alphapo_error *err = NULL;
        if (alphapo_client_call(client, ALPHAPO_OPERATION_INVOICES_CREATE, json, &inv, &err) != ALPHAPO_STATUS_OK)
            die(alphapo_error_message(err));
        if (!alphapo_response_get(inv, "url")) die("no url");
        alphapo_response_free(inv);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) die("usage: rss BASE_URL KEY SECRET [--quick]");
    int quick = argc > 4 && strcmp(argv[4], "--quick") == 0;
    long signatures = quick ? 100000 : 1000000, total_invoices = quick ? 10000 : 100000;
    base_url = argv[1];
    client = sandbox_client(base_url, argv[2], argv[3]);
    alphapo_signer *signer = NULL;
    if (alphapo_signer_new((const uint8_t *)"sandbox-secret", 14, &signer) != ALPHAPO_STATUS_OK) die("signer");
    unsigned char body[300];
    memset(body, 'x', sizeof body);
    char out[129];
    sandbox_reset(base_url);

    for (long i = 0; i < 1000; i++) alphapo_signer_sign(signer, body, sizeof body, out, sizeof out);
    invoices(1000);
    long first = rss_kib();
    for (long i = 1000; i < signatures; i++) alphapo_signer_sign(signer, body, sizeof body, out, sizeof out);
    invoices(total_invoices - 1000);
    long last = rss_kib();
    fprintf(stderr, "C RSS: %ld KiB after 1 000, %ld KiB after %ld signatures and %ld invoices (+%ld KiB)\n",
            first, last, signatures, total_invoices, last - first);
    emit("c.rss.first_kib", (double)first, "KiB");
    emit("c.rss.last_kib", (double)last, "KiB");
    emit("c.rss.growth_kib", (double)(last - first), "KiB");
    alphapo_signer_free(signer);
    alphapo_client_free(client);
    return 0;
}
