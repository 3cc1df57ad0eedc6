// The C header from C++ (g++ -std=c++11): it links (extern "C"), signs the spec's vector,
// and creates an invoice on the sandbox with every handle owned by a std::unique_ptr whose
// deleter is the library's _free function. Run by tests/c/run.sh under valgrind.
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>

#include "alphapo.h"
#include "alphapo.h"  // twice: the include guard and the extern "C" block nest correctly
#include "check.h"

namespace {

// A handle and the library function that frees it.
template <typename T>
using Owned = std::unique_ptr<T, void (*)(T *)>;
using Builder = Owned<alphapo_client_builder>;
using Client = Owned<alphapo_client>;
using Request = Owned<alphapo_request>;
using Response = Owned<alphapo_response>;
using Error = Owned<alphapo_error>;
using Signer = Owned<alphapo_signer>;
using String = Owned<char>;

const uint8_t *bytes(const std::string &s) { return reinterpret_cast<const uint8_t *>(s.data()); }

const std::string kVectorSecret = "AbCdEfG123456";
const std::string kVectorBody = "{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}";
const std::string kVectorSignature =
    "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba5"
    "5b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";

void test_signature_vector() {
    char out[129];
    CHECK_STATUS(alphapo_sign(bytes(kVectorSecret), kVectorSecret.size(), bytes(kVectorBody),
                              kVectorBody.size(), out, sizeof out),
                 ALPHAPO_STATUS_OK);
    CHECK(kVectorSignature == out);
    CHECK_STATUS(alphapo_verify(bytes(kVectorSecret), kVectorSecret.size(), bytes(kVectorBody),
                                kVectorBody.size(), kVectorSignature.c_str(),
                                kVectorSignature.size()),
                 ALPHAPO_STATUS_OK);

    alphapo_signer *raw = nullptr;
    CHECK_STATUS(alphapo_signer_new(bytes(kVectorSecret), kVectorSecret.size(), &raw),
                 ALPHAPO_STATUS_OK);
    Signer signer(raw, alphapo_signer_free);
    char again[129];
    CHECK_STATUS(alphapo_signer_sign(signer.get(), bytes(kVectorBody), kVectorBody.size(), again,
                                     sizeof again),
                 ALPHAPO_STATUS_OK);
    CHECK(kVectorSignature == again);
    CHECK_STATUS(alphapo_signer_verify(signer.get(), bytes(kVectorBody), kVectorBody.size(),
                                       "00", 2),
                 ALPHAPO_STATUS_SIGNATURE_MISMATCH);
}

Client make_client(const char *base_url, const std::string &key, const std::string &secret) {
    alphapo_client_builder *raw_builder = nullptr;
    CHECK_STATUS(alphapo_client_builder_new(key.c_str(), bytes(secret), secret.size(),
                                            &raw_builder, nullptr),
                 ALPHAPO_STATUS_OK);
    Builder builder(raw_builder, alphapo_client_builder_free);
    CHECK_STATUS(alphapo_client_builder_set_base_url(builder.get(), base_url, false, nullptr),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_client_builder_set_max_retries(builder.get(), 0, nullptr),
                 ALPHAPO_STATUS_OK);
    alphapo_client *raw_client = nullptr;
    alphapo_error *raw_err = nullptr;
    // build consumes the builder, also on failure: ownership leaves the unique_ptr first.
    CHECK_STATUS(alphapo_client_builder_build(builder.release(), &raw_client, &raw_err),
                 ALPHAPO_STATUS_OK);
    Error err(raw_err, alphapo_error_free);
    CHECK(err == nullptr);
    return Client(raw_client, alphapo_client_free);
}

Request invoice_request(const std::string &foreign_id) {
    alphapo_request *raw = nullptr;
    CHECK_STATUS(alphapo_request_new(ALPHAPO_OPERATION_INVOICES_CREATE, &raw, nullptr),
                 ALPHAPO_STATUS_OK);
    Request request(raw, alphapo_request_free);
    CHECK_STATUS(alphapo_request_set(request.get(), "title", "C++ order", nullptr),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(request.get(), "currency", "EUR", nullptr),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(request.get(), "amount", "106.75", nullptr),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(request.get(), "foreign_id", foreign_id.c_str(), nullptr),
                 ALPHAPO_STATUS_OK);
    CHECK_STATUS(alphapo_request_set(request.get(), "end_user_reference", "cpp-42", nullptr),
                 ALPHAPO_STATUS_OK);
    return request;
}

void test_invoice_on_the_sandbox(const Client &client) {
    const std::string foreign_id = "cpp-" + std::to_string(static_cast<long>(std::time(nullptr))) +
                                   "-" + std::to_string(std::rand() % 100000);
    Request request = invoice_request(foreign_id);

    alphapo_response *raw_response = nullptr;
    alphapo_error *raw_err = nullptr;
    CHECK_STATUS(alphapo_client_call_request(client.get(), request.get(), &raw_response, &raw_err),
                 ALPHAPO_STATUS_OK);
    Response invoice(raw_response, alphapo_response_free);
    Error err(raw_err, alphapo_error_free);
    CHECK(err == nullptr);
    CHECK(invoice != nullptr);
    if (invoice) {
        CHECK_STR(alphapo_response_get(invoice.get(), "foreign_id"), foreign_id.c_str());
        CHECK_STR(alphapo_response_get(invoice.get(), "currency"), "EUR");
        CHECK(alphapo_response_get(invoice.get(), "url") != nullptr);
        String json(alphapo_response_json(invoice.get()), alphapo_string_free);
        CHECK(json && std::string(json.get()).find("\"data\":{") != std::string::npos);
    }

    // The same foreign_id again: refused, and the error object is owned the same way.
    raw_response = nullptr;
    raw_err = nullptr;
    CHECK_STATUS(alphapo_client_call_request(client.get(), request.get(), &raw_response, &raw_err),
                 ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID);
    Response none(raw_response, alphapo_response_free);
    Error refused(raw_err, alphapo_error_free);
    CHECK(none == nullptr);
    CHECK(refused != nullptr && alphapo_error_http_status(refused.get()) == 400);
}

}  // namespace

int main() {
    const char *base_url = std::getenv("ALPHAPO_BASE_URL");
    const char *key = std::getenv("ALPHAPO_KEY");
    const char *secret = std::getenv("ALPHAPO_SECRET");
    if (!base_url || !key || !secret) {
        std::fprintf(stderr,
                     "ALPHAPO_BASE_URL, ALPHAPO_KEY and ALPHAPO_SECRET must be set (tests/c/run.sh)\n");
        return 2;
    }
    std::srand(static_cast<unsigned>(std::time(nullptr)));
    test_signature_vector();
    {
        Client client = make_client(base_url, key, secret);
        CHECK(client != nullptr);
        if (client) test_invoice_on_the_sandbox(client);
    }
    return checks_report("test_cpp");
}
