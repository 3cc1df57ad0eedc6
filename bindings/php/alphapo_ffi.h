typedef enum {
  ALPHAPO_STATUS_OK = 0,
  ALPHAPO_STATUS_NULL_ARGUMENT = 1,
  ALPHAPO_STATUS_INVALID_ARGUMENT = 2,
  ALPHAPO_STATUS_BUFFER_TOO_SMALL = 3,
  ALPHAPO_STATUS_VALIDATION = 4,
  ALPHAPO_STATUS_SIGNATURE_MISMATCH = 5,
  ALPHAPO_STATUS_AUTH = 10,
  ALPHAPO_STATUS_API = 11,
  ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID = 12,
  ALPHAPO_STATUS_RATE_LIMITED = 13,
  ALPHAPO_STATUS_SERVER = 14,
  ALPHAPO_STATUS_TRANSPORT = 20,
  ALPHAPO_STATUS_TIMEOUT = 21,
  ALPHAPO_STATUS_TLS = 22,
  ALPHAPO_STATUS_DECODE = 23,
  ALPHAPO_STATUS_OUTCOME_UNKNOWN = 24,
  ALPHAPO_STATUS_PANIC = 99,
} alphapo_status;

typedef enum {
  ALPHAPO_ENVIRONMENT_ALPHAPO = 0,
  ALPHAPO_ENVIRONMENT_CRYPTOPROCESSING = 1,
  ALPHAPO_ENVIRONMENT_CRYPTOPROCESSING_SANDBOX = 2,
  ALPHAPO_ENVIRONMENT_CRYPTOPROCESSING_LT = 3,
  ALPHAPO_ENVIRONMENT_COINSPAID = 4,
} alphapo_environment;

typedef enum {
  ALPHAPO_OPERATION_PING = 1,
  ALPHAPO_OPERATION_ACCOUNTS_LIST = 2,
  ALPHAPO_OPERATION_CURRENCIES_LIST = 3,
  ALPHAPO_OPERATION_CURRENCIES_PAIRS = 4,
  ALPHAPO_OPERATION_CURRENCIES_RATES = 5,
  ALPHAPO_OPERATION_ADDRESSES_TAKE = 6,
  ALPHAPO_OPERATION_WITHDRAWAL_CRYPTO = 7,
  ALPHAPO_OPERATION_EXCHANGE_CALCULATE = 8,
  ALPHAPO_OPERATION_EXCHANGE_FIXED = 9,
  ALPHAPO_OPERATION_EXCHANGE_NOW = 10,
  ALPHAPO_OPERATION_INVOICES_CREATE = 11,
  ALPHAPO_OPERATION_INVOICES_CANCEL = 12,
  ALPHAPO_OPERATION_TRANSACTIONS_INFO = 13,
  ALPHAPO_OPERATION_GENERIC = 14,
  ALPHAPO_OPERATION_PAYMENT_REQUESTS_CREATE = 15,
} alphapo_operation;

typedef struct alphapo_callback alphapo_callback;

typedef struct alphapo_client alphapo_client;

typedef struct alphapo_client_builder alphapo_client_builder;

typedef struct alphapo_error alphapo_error;

typedef struct alphapo_prepared alphapo_prepared;

typedef struct alphapo_request alphapo_request;

typedef struct alphapo_response alphapo_response;

typedef struct alphapo_signer alphapo_signer;

const char *alphapo_version(void);

const char *alphapo_status_name(uint32_t status);

alphapo_status alphapo_test_panic(alphapo_error **err);

alphapo_status alphapo_callback_verify(const alphapo_signer *signer, const uint8_t *body, size_t body_len, const char *signature, size_t signature_len, const char *key_header, const char *expected_key, alphapo_error **err);

alphapo_status alphapo_callback_parse(const alphapo_signer *signer, const uint8_t *body, size_t body_len, const char *signature, size_t signature_len, const char *key_header, const char *expected_key, alphapo_callback **out, alphapo_error **err);

const char *alphapo_callback_get(const alphapo_callback *callback, const char *path);

const char *alphapo_callback_dedupe_key(const alphapo_callback *callback);

bool alphapo_callback_is_fully_paid(const alphapo_callback *callback);

char *alphapo_callback_json(const alphapo_callback *callback);

void alphapo_callback_free(alphapo_callback *callback);

alphapo_status alphapo_client_builder_new(const char *api_key, const uint8_t *secret, size_t secret_len, alphapo_client_builder **out, alphapo_error **err);

alphapo_status alphapo_client_builder_set_environment(alphapo_client_builder *builder, uint32_t environment, alphapo_error **err);

alphapo_status alphapo_client_builder_set_base_url(alphapo_client_builder *builder, const char *base_url, bool allow_insecure_http, alphapo_error **err);

alphapo_status alphapo_client_builder_set_payments_base_url(alphapo_client_builder *builder, const char *base_url, bool allow_insecure_http, alphapo_error **err);

alphapo_status alphapo_client_builder_set_timeouts(alphapo_client_builder *builder, uint32_t connect_timeout_ms, uint32_t timeout_ms, alphapo_error **err);

alphapo_status alphapo_client_builder_set_app_info(alphapo_client_builder *builder, const char *app_info, alphapo_error **err);

alphapo_status alphapo_client_builder_set_ca_file(alphapo_client_builder *builder, const char *path, alphapo_error **err);

alphapo_status alphapo_client_builder_set_proxy(alphapo_client_builder *builder, const char *url, alphapo_error **err);

alphapo_status alphapo_client_builder_set_proxy_from_environment(alphapo_client_builder *builder, bool yes, alphapo_error **err);

alphapo_status alphapo_client_builder_set_max_retries(alphapo_client_builder *builder, uint32_t max_retries, alphapo_error **err);

alphapo_status alphapo_client_builder_build(alphapo_client_builder *builder, alphapo_client **out, alphapo_error **err);

void alphapo_client_builder_free(alphapo_client_builder *builder);

void alphapo_client_free(alphapo_client *client);

alphapo_status alphapo_client_call(const alphapo_client *client, uint32_t operation, const char *request_json, alphapo_response **out, alphapo_error **err);

alphapo_status alphapo_client_reconcile(const alphapo_client *client, const char *foreign_id, alphapo_response **out, alphapo_error **err);

alphapo_status alphapo_client_prepare(const alphapo_client *client, uint32_t operation, const char *request_json, alphapo_prepared **out, alphapo_error **err);

alphapo_status alphapo_client_send(const alphapo_client *client, const alphapo_prepared *prepared, alphapo_response **out, alphapo_error **err);

alphapo_status alphapo_client_call_request(const alphapo_client *client, const alphapo_request *request, alphapo_response **out, alphapo_error **err);

alphapo_status alphapo_client_prepare_request(const alphapo_client *client, const alphapo_request *request, alphapo_prepared **out, alphapo_error **err);

alphapo_status alphapo_decode_reply(uint32_t operation, uint16_t http_status, const uint8_t *body, size_t body_len, alphapo_response **out, alphapo_error **err);

alphapo_status alphapo_error_status(const alphapo_error *err);

uint16_t alphapo_error_http_status(const alphapo_error *err);

const char *alphapo_error_message(const alphapo_error *err);

const char *alphapo_error_code(const alphapo_error *err);

size_t alphapo_error_field_count(const alphapo_error *err);

const char *alphapo_error_field_name(const alphapo_error *err, size_t index);

const char *alphapo_error_field_message(const alphapo_error *err, size_t index);

char *alphapo_error_fields_json(const alphapo_error *err);

char *alphapo_error_attempts_json(const alphapo_error *err);

const uint8_t *alphapo_error_raw_body(const alphapo_error *err, size_t *len);

uint64_t alphapo_error_retry_after(const alphapo_error *err);

alphapo_status alphapo_error_cause(const alphapo_error *err);

const char *alphapo_error_foreign_id(const alphapo_error *err);

void alphapo_error_free(alphapo_error *err);

const char *alphapo_operations_json(void);

const char *alphapo_prepared_method(const alphapo_prepared *prepared);

const char *alphapo_prepared_url(const alphapo_prepared *prepared);

const uint8_t *alphapo_prepared_body(const alphapo_prepared *prepared, size_t *len);

size_t alphapo_prepared_header_count(const alphapo_prepared *prepared);

const char *alphapo_prepared_header_name(const alphapo_prepared *prepared, size_t index);

const char *alphapo_prepared_header_value(const alphapo_prepared *prepared, size_t index);

void alphapo_prepared_free(alphapo_prepared *prepared);

alphapo_status alphapo_request_new(uint32_t operation, alphapo_request **out, alphapo_error **err);

alphapo_status alphapo_request_set(alphapo_request *request, const char *field, const char *value, alphapo_error **err);

alphapo_status alphapo_request_set_json(alphapo_request *request, const char *field, const char *json, alphapo_error **err);

void alphapo_request_free(alphapo_request *request);

uint16_t alphapo_response_http_status(const alphapo_response *response);

const char *alphapo_response_get(const alphapo_response *response, const char *path);

char *alphapo_response_json(const alphapo_response *response);

char *alphapo_response_attempts_json(const alphapo_response *response);

char *alphapo_response_result_json(const alphapo_response *response);

const char *alphapo_response_summary_json(const alphapo_response *response, size_t *len);

const uint8_t *alphapo_response_raw_body(const alphapo_response *response, size_t *len);

size_t alphapo_response_malformed_count(const alphapo_response *response);

const char *alphapo_response_malformed(const alphapo_response *response, size_t index);

void alphapo_response_free(alphapo_response *response);

alphapo_status alphapo_sign(const uint8_t *secret, size_t secret_len, const uint8_t *body, size_t body_len, char *out, size_t out_len);

alphapo_status alphapo_verify(const uint8_t *secret, size_t secret_len, const uint8_t *body, size_t body_len, const char *signature, size_t signature_len);

alphapo_status alphapo_signer_new(const uint8_t *secret, size_t secret_len, alphapo_signer **out);

alphapo_status alphapo_signer_sign(const alphapo_signer *signer, const uint8_t *body, size_t body_len, char *out, size_t out_len);

alphapo_status alphapo_signer_sign_chars(const alphapo_signer *signer, const char *body, size_t body_len, char *out, size_t out_len);

alphapo_status alphapo_signer_verify(const alphapo_signer *signer, const uint8_t *body, size_t body_len, const char *signature, size_t signature_len);

void alphapo_signer_free(alphapo_signer *signer);

void alphapo_string_free(char *s);
