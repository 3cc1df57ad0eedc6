// Creates an invoice from C++ and prints its payment URL. Every handle is owned by a
// std::unique_ptr whose deleter is the library's _free function, so nothing leaks on any
// path. Build (C++11 or later):
//   g++ -std=c++11 -Iinclude examples/cpp/create_invoice.cpp -Ltarget/release -lalphapo
//
// Runs against the local sandbox by default:
//   cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
//   ALPHAPO_BASE_URL=http://127.0.0.1:8080/api/v2 ./create_invoice
// For production leave ALPHAPO_BASE_URL unset and set ALPHAPO_KEY / ALPHAPO_SECRET.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>

#include "alphapo.h"

namespace {

template <typename T>
using Owned = std::unique_ptr<T, void (*)(T *)>;

// Reports a failed call and frees its error object (which may be NULL).
int fail(const char *what, alphapo_status status, alphapo_error *raw_err) {
    Owned<alphapo_error> err(raw_err, alphapo_error_free);
    std::fprintf(stderr, "%s failed: %s: %s\n", what, alphapo_status_name(status),
                 err ? alphapo_error_message(err.get()) : "");
    for (size_t i = 0; i < alphapo_error_field_count(err.get()); i++) {
        std::fprintf(stderr, "  %s: %s\n", alphapo_error_field_name(err.get(), i),
                     alphapo_error_field_message(err.get(), i));
    }
    return 1;
}

const char *env_or(const char *name, const char *fallback) {
    const char *value = std::getenv(name);
    return value ? value : fallback;
}

}  // namespace

int main() {
    const char *base_url = std::getenv("ALPHAPO_BASE_URL");
    const std::string key = env_or("ALPHAPO_KEY", "sandbox-key");
    const std::string secret = env_or("ALPHAPO_SECRET", "sandbox-secret");
    alphapo_error *raw_err = nullptr;

    // One client per process: it is thread-safe and keeps connections alive.
    alphapo_client_builder *raw_builder = nullptr;
    alphapo_status status = alphapo_client_builder_new(
        key.c_str(), reinterpret_cast<const uint8_t *>(secret.data()), secret.size(),
        &raw_builder, &raw_err);
    Owned<alphapo_client_builder> builder(raw_builder, alphapo_client_builder_free);
    if (status != ALPHAPO_STATUS_OK) return fail("builder", status, raw_err);
    if (base_url) {
        status = alphapo_client_builder_set_base_url(builder.get(), base_url, false, &raw_err);
        if (status != ALPHAPO_STATUS_OK) return fail("base url", status, raw_err);
    }
    alphapo_client_builder_set_app_info(builder.get(), "create_invoice-cpp-example/1.0", nullptr);
    alphapo_client *raw_client = nullptr;
    // build consumes the builder, also on failure: release it from its owner first.
    status = alphapo_client_builder_build(builder.release(), &raw_client, &raw_err);
    Owned<alphapo_client> client(raw_client, alphapo_client_free);
    if (status != ALPHAPO_STATUS_OK) return fail("build", status, raw_err);

    std::string foreign_id = env_or("ALPHAPO_FOREIGN_ID", "");
    if (foreign_id.empty()) foreign_id = "order-cpp-" + std::to_string(static_cast<long>(std::time(nullptr)));

    alphapo_request *raw_request = nullptr;
    status = alphapo_request_new(ALPHAPO_OPERATION_INVOICES_CREATE, &raw_request, &raw_err);
    Owned<alphapo_request> request(raw_request, alphapo_request_free);
    if (status != ALPHAPO_STATUS_OK) return fail("request", status, raw_err);
    alphapo_request_set(request.get(), "title", "Order 1001", nullptr);
    alphapo_request_set(request.get(), "currency", "EUR", nullptr);
    alphapo_request_set(request.get(), "amount", "106.75", nullptr);  // a decimal string, never a double
    alphapo_request_set(request.get(), "foreign_id", foreign_id.c_str(), nullptr);
    alphapo_request_set(request.get(), "end_user_reference", "customer-42", nullptr);
    alphapo_request_set(request.get(), "url_success", "https://shop.example.com/paid", nullptr);
    alphapo_request_set(request.get(), "url_failed", "https://shop.example.com/failed", nullptr);

    alphapo_response *raw_invoice = nullptr;
    status = alphapo_client_call_request(client.get(), request.get(), &raw_invoice, &raw_err);
    Owned<alphapo_response> invoice(raw_invoice, alphapo_response_free);
    if (status != ALPHAPO_STATUS_OK) return fail("create invoice", status, raw_err);
    std::printf("invoice %s (%s): pay %s %s at %s\n", alphapo_response_get(invoice.get(), "id"),
                alphapo_response_get(invoice.get(), "status"),
                alphapo_response_get(invoice.get(), "amount"),
                alphapo_response_get(invoice.get(), "currency"),
                alphapo_response_get(invoice.get(), "url"));
    return 0;
}
