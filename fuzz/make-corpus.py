#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (fuzz/corpus/<target>/seed-*).

Seeds are the reply, error, request and callback examples of the API reference (spec
sections 4, 5 and 8, copied here verbatim so the script needs nothing outside the
repository) and every callback body in tests/fixtures/callbacks. Run it again after
changing the examples; new files found by fuzzing go to fuzz/work/ (not committed) unless
they reproduce a bug, which is then added here by hand as `crash-*`.

    python3 fuzz/make-corpus.py
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures" / "callbacks"

# The order of OperationKind::ALL and of STATUSES in fuzz_targets/decode_reply.rs.
KINDS = [
    "ping", "accounts_list", "currencies_list", "currencies_pairs", "currencies_rates",
    "addresses_take", "withdrawal_crypto", "exchange_calculate", "exchange_fixed",
    "exchange_now", "invoices_create", "invoices_cancel", "transactions_info", "generic",
    "payment_requests_create",
]
STATUSES = [200, 201, 204, 299, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 302, 100]

PAIR = ('{"currency_from": {"currency": "BTC", "type": "crypto", "min_amount": "0.00010000", '
        '"min_amount_deposit_with_exchange": "0.00010000"}, "currency_to": {"currency": "EUR", '
        '"type": "fiat"}, "rate_from": "1", "rate_to": "20693.84879354"}')
INVOICE = ('{"id": 826900, "url": "https://invoices.sandbox.cryptoprocessing.com/invoice/Jyf1cQ", '
           '"foreign_id": "test_foreign_id_0344", "end_user_reference": "12345", "address": null, '
           '"title": "Invoice Title", "status": "created", "currency": "EUR", "amount": "100.00000000", '
           '"sender_currency": null, "sender_amount": null, "fixed_at": null, "release_at": null, '
           '"seconds_left": null}')
EXCHANGE_FIXED = ('{"sender_currency": "BTC", "sender_amount": "0.00300000", "receiver_currency": "EUR", '
                  '"receiver_amount": "231.94279333", "fee_currency": "BTC", "fee_amount": "0.00015000", '
                  '"price": "77314.26444333", "id": 134704049, "foreign_id": "test_foreign_id_0250", '
                  '"type": "exchange", "status": "processing"}')

REPLIES = {  # (operation, HTTP status, body)
    "ping": [("ping", 200, "OK")],
    "accounts": [
        ("accounts_list", 200, '{"data": [ {"currency": "BTC", "type": "crypto", "balance": "0.04"}, '
                               '{"currency": "EUR", "type": "fiat", "balance": "10000"} ]}'),
        ("accounts_list", 200, '{"data":[{"currency":"BTC","type":"crypto","balance":5973.97568920}]}'),
    ],
    "currencies": [
        ("currencies_list", 200, '{"data":[{"id":1,"type":"crypto","currency":"BTC","minimum_amount":'
                                 '"0.00020000","deposit_fee_percent":"0.000700","withdrawal_fee_percent":'
                                 '"0.010000","precision":8}]}'),
    ],
    "pairs": [("currencies_pairs", 200, '{"data": [' + PAIR + ']}')],
    "rates": [("currencies_rates", 200, '{"data": [{"currency_from": {"currency": "BTC", "description": '
                                        '"x"}, "currency_to": {"currency": "EUR"}, "rate_from": "1", '
                                        '"rate_to": "20693.84879354"}]}')],
    "address": [("addresses_take", 201, '{"data": {"id": 240407213, "currency": "BTC", "convert_to": '
                                        '"EUR", "address": "tb1q...", "tag": null, "foreign_id": '
                                        '"test_foreign_id", "end_user_reference": "test_end_user_reference"}}')],
    "withdrawal": [("withdrawal_crypto", 201, '{"data": {"id": 134702815, "foreign_id": "test_foreign_id_0148", '
                                              '"end_user_reference": "test_end_user_reference", "type": '
                                              '"withdrawal", "status": "processing", "amount": "0.00003000", '
                                              '"sender_amount": "0.00003000", "sender_currency": "BTC", '
                                              '"receiver_currency": "BTC", "receiver_amount": "0.00003000"}}')],
    "calculate": [("exchange_calculate", 200, '{"data": {"sender_currency": "BTC", "sender_amount": "0.02000000", '
                                              '"receiver_currency": "EUR", "receiver_amount": "1546.28528889", '
                                              '"fee_currency": "BTC", "fee_amount": "0.00100000", "price": '
                                              '"77314.26444450", "ts_fixed": 1775172819, "ts_release": '
                                              '1775172879, "fix_period": 60}}')],
    "fixed": [("exchange_fixed", 201, '{"data": ' + EXCHANGE_FIXED + '}')],
    "now": [("exchange_now", 201, '{"data": ' + EXCHANGE_FIXED + '}')],
    "invoice": [
        ("invoices_create", 200, '{"data": ' + INVOICE + '}'),
        ("invoices_create", 201, '{"data": {"id": "826900", "foreign_id": 12345, "amount": 100.5, '
                                 '"end_user_reference": 42, "seconds_left": "899"}}'),
        ("invoices_create", 200, '{"data": {"amount": "0.106.75000000", "fixed_at": "soon"}}'),
    ],
    "cancel": [("invoices_cancel", 200, "OK"), ("invoices_cancel", 200, "{}")],
    "info": [("transactions_info", 200, '{"data": {"id": 1, "type": "withdrawal", "status": "confirmed"}}')],
    "generic": [("generic", 200, '{"data": {"anything": [1, "2", {"x": null}]}}'),
                ("generic", 200, '[1, 2, 3]')],
    "errors": [
        ("invoices_create", 400, '{"errors":{"foreign_id":"The foreign id has already been taken."}}'),
        ("invoices_create", 400, '{"errors":{"amount":"The amount is too small. The minimum amount is 10.00 EUR."}}'),
        ("invoices_cancel", 400, '{"errors":{"error":"Invoice cannot be failed in its current state.",'
                                 '"code":"invalid_invoice_state"}}'),
        ("currencies_pairs", 400, '{"errors":{"currency_from":"The selected currency from is invalid.",'
                                  '"currency_to":"The selected currency to is invalid."}}'),
        ("exchange_now", 400, '{"errors":{"sender_amount":"The amount must be at least 0.00300000 "}}'),
        ("withdrawal_crypto", 400, '{"errors":{"amount":["The amount must be at least 0.001.", 5]}}'),
        ("accounts_list", 403, '{"error": "Bad signature header", "code": "bad_header_signature"}'),
        ("generic", 403, '{"error": "No key header", "code": "required_header_key"}'),
        ("accounts_list", 400, '{"error": "Bad content format", "code": "bad_content_format"}'),
        ("exchange_calculate", 429, "error code: 1015"),
        ("accounts_list", 502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                               "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>"
                               "\r\n</body>\r\n</html>\r\n"),
        ("transactions_info", 404, "Validation Exception: more than one param is present"),
        ("accounts_list", 200, '{"data":"aaaa'),
    ],
}

REQUESTS = [  # (operation, request JSON)
    ("ping", ""), ("ping", "{}"), ("accounts_list", "{}"),
    ("currencies_list", '{"visible": true}'), ("currencies_list", '{"visible": 0}'),
    ("currencies_pairs", '{"currency_from": "BTC", "currency_to": "EUR"}'),
    ("currencies_rates", '{"currency_from": "BTC", "currency_to": "EUR"}'),
    ("addresses_take", '{"currency": "BTC", "foreign_id": "user-1", "convert_to": "EUR", '
                       '"end_user_reference": "customer-42", "sender_type": "natural", "sender_data": '
                       '{"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1995-08-17"}}'),
    ("withdrawal_crypto", '{"currency": "BTC", "address": "tb1qexample", "amount": "0.01", '
                          '"foreign_id": "w-1", "end_user_reference": "customer-42", "tag": 12345, '
                          '"receiver_type": "legal", "receiver_data": {"legal_name": "ACME", '
                          '"country_of_registration": "DEU"}}'),
    ("withdrawal_crypto", '{"currency": "EUR", "convert_to": "BTC", "address": "a", "amount_to": 0.001, '
                          '"foreign_id": 7}'),
    ("exchange_calculate", '{"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.02"}'),
    ("exchange_fixed", '{"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.003", '
                       '"foreign_id": "x-1", "price": "77314.26444333"}'),
    ("exchange_now", '{"sender_currency": "BTC", "receiver_currency": "EUR", "receiver_amount": 231.94, '
                     '"foreign_id": "x-2"}'),
    ("invoices_create", '{"timer": false, "title": "Order 1001", "description": "Two books", '
                        '"currency": "EUR", "amount": "106.75", "foreign_id": "order-1001", '
                        '"end_user_reference": "customer-42", "url_success": "https://shop.example.com/ok", '
                        '"url_failed": "https://shop.example.com/failed", "email_user": "a@example.com", '
                        '"type": "good_until_expired"}'),
    ("invoices_create", '{"timer": true, "title": "t", "currency": "EUR", "amount": "007.50", '
                        '"sender_currency": "BTC", "foreign_id": "o-2", "sender_type": "legal", '
                        '"sender_data": {"legal_name": "ACME", "country_of_registration": "DEU", '
                        '"email": "x@example.com"}}'),
    ("invoices_create", '{"title": "", "currency": "eur", "amount": "1e400", "foreign_id": "", '
                        '"url_success": "http://127.0.0.1/", "titel": 1}'),
    ("invoices_cancel", '{"foreign_id": "order 1001/ä?#"}'),
    ("transactions_info", '{"id": 1}'), ("transactions_info", '{"foreign_id": "w-1"}'),
    ("transactions_info", '{"txid": "abc", "id": 2}'),
    ("generic", '{"method": "GET", "path": "/transactions/info", "body": {"id": 1}}'),
    ("generic", '{"path": "/../x"}'),
    ("invoices_create", '[]'), ("accounts_list", '{"x": 1}'), ("ping", 'not json'),
    ("generic", '{"path": "/api/payments/v1/requests", "method": "POST", "body": {"amount": "1"}}'),
    ("payment_requests_create", '{"amount": "100.50", "currency": {"iso": "EUR"}, '
                                '"life_time_duration": 3600, "foreign_id": "pr-1"}'),
]

SECRET = b"AbCdEfG123456"
VECTOR_BODY = b'{"currency":"BTC","foreign_id":"123456"}'
VECTOR = b"03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec"


def write(target: str, name: str, data: bytes) -> None:
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data)


def main() -> None:
    for group, replies in REPLIES.items():
        for i, (kind, status, body) in enumerate(replies):
            data = bytes([KINDS.index(kind), STATUSES.index(status)]) + body.encode()
            write("decode_reply", f"{group}-{i}", data)
    for fixture in sorted(FIXTURES.glob("*.json")):
        body = fixture.read_bytes()
        write("callback", fixture.stem, body)
        # transactions/info answers a callback-shaped object without a "data" wrapper.
        write("decode_reply", f"info-{fixture.stem}",
              bytes([KINDS.index("transactions_info"), 0]) + body)
    write("callback", "not-an-object", b'[{"id": 1}]')
    write("callback", "numbers-as-strings", json.dumps(
        {"id": "5", "type": "invoice", "status": "confirmed",
         "currency_received": {"currency": "EUR", "amount": 1e-7}}).encode())
    for i, (kind, text) in enumerate(REQUESTS):
        write("request_json", f"{kind}-{i}", bytes([KINDS.index(kind)]) + text.encode())
    write("request_json", "invalid-utf8", bytes([KINDS.index("invoices_create")]) + b'{"title": "\xff\xfe"}')
    write("signature", "official-vector", bytes([len(VECTOR_BODY)]) + VECTOR_BODY + VECTOR)
    write("signature", "official-vector-upper", bytes([len(VECTOR_BODY)]) + VECTOR_BODY + VECTOR.upper())
    write("signature", "hex-only", VECTOR)
    write("signature", "non-hex", VECTOR[:127] + b"g")
    write("signature", "short", bytes([0]) + VECTOR[:64])


if __name__ == "__main__":
    main()
