"""The header functions the Python API does not need (the field-by-field request, dotted-path
getters, the fields JSON) called through _ffi's declarations, so every declaration is
exercised against the real library at least once."""

from __future__ import annotations

import ctypes
import json

import pytest

import alphapo
from alphapo import _errors, _ffi

from alphapo_test_support import unique

lib = _ffi.lib


def _new(operation: int):
    request = _ffi.RequestP()
    slot = _errors.ErrorSlot()
    slot.check(lib.alphapo_request_new(operation, ctypes.byref(request), slot.ref))
    return request


def _set(request, name: str, value: str, setter=None) -> None:
    slot = _errors.ErrorSlot()
    slot.check((setter or lib.alphapo_request_set)(request, name.encode(), value.encode(), slot.ref))


def test_field_by_field_request_prepare_and_call(sandbox):
    request = _new(alphapo.Operation.INVOICES_CREATE)
    fid = unique("ffi")
    try:
        for name, value in [
            ("title", "Order 7"),
            ("description", "field by field"),
            ("currency", "EUR"),
            ("amount", "10.50"),
            ("foreign_id", fid),
            ("end_user_reference", "customer-7"),
            ("url_success", "https://shop.example.com/ok"),
            ("url_failed", "https://shop.example.com/failed"),
            ("email_user", "payer@example.com"),
            ("type", "fill_or_kill"),
            ("sender_currency", "BTC"),
            ("sender_type", "natural"),
            ("sender_data.first_name", "Ada"),
            ("sender_data.last_name", "L"),
            ("sender_data.date_of_birth", "1995-08-17"),
        ]:
            _set(request, name, value)
        _set(request, "timer", "true", lib.alphapo_request_set_json)
        slot = _errors.ErrorSlot()
        with sandbox.client() as client:
            ptr = client._acquire()
            try:
                prepared = _ffi.PreparedP()
                slot.check(
                    lib.alphapo_client_prepare_request(
                        ptr, request, ctypes.byref(prepared), slot.ref
                    )
                )
                body = json.loads(_ffi.read_bytes(lib.alphapo_prepared_body, prepared))
                assert body["title"] == "Order 7" and body["timer"] is True
                assert body["sender_data"]["first_name"] == "Ada"
                lib.alphapo_prepared_free(prepared)

                response = _ffi.ResponseP()
                slot.check(
                    lib.alphapo_client_call_request(ptr, request, ctypes.byref(response), slot.ref)
                )
            finally:
                client._release()
        try:
            assert lib.alphapo_response_http_status(response) in (200, 201)
            assert _ffi.text(lib.alphapo_response_get(response, b"foreign_id")) == fid
            assert _ffi.text(lib.alphapo_response_get(response, b"amount")).startswith("10.5")
            assert lib.alphapo_response_get(response, b"no.such.path") is None
            assert lib.alphapo_response_malformed_count(response) == 0
            assert lib.alphapo_response_malformed(response, 0) is None
            attempts = json.loads(_ffi.take_string(lib.alphapo_response_attempts_json(response)))
            assert [a["status"] for a in attempts["attempts"]] == ["OK"]
        finally:
            lib.alphapo_response_free(response)
    finally:
        lib.alphapo_request_free(request)
    lib.alphapo_request_free(None)  # NULL does nothing


def test_field_by_field_request_reports_bad_fields():
    request = _new(alphapo.Operation.INVOICES_CREATE)
    try:
        with pytest.raises(alphapo.InvalidArgumentError):
            _set(request, "a..b", "x")
        with pytest.raises(alphapo.InvalidArgumentError):
            _set(request, "timer", "{oops", lib.alphapo_request_set_json)
        with alphapo.Client("k", "s", base_url="http://127.0.0.1:9/api/v2") as client:
            slot = _errors.ErrorSlot()
            prepared = _ffi.PreparedP()
            ptr = client._acquire()
            try:
                status = lib.alphapo_client_prepare_request(
                    ptr, request, ctypes.byref(prepared), slot.ref
                )
            finally:
                client._release()
            assert status == alphapo.Status.VALIDATION
            fields = json.loads(_ffi.take_string(lib.alphapo_error_fields_json(slot.ptr)))
            assert {"title", "currency", "amount", "foreign_id"} <= set(fields)
            assert lib.alphapo_error_attempts_json(slot.ptr) is None  # nothing was sent
            with pytest.raises(alphapo.ValidationError) as e:
                slot.check(status)
            assert e.value.fields == fields
    finally:
        lib.alphapo_request_free(request)


def test_malformed_accessors_and_callback_getters():
    seed = b'{"data": {"id": 127, "amount": "0.106.75000000", "url": "https://x.example.com/i"}}'
    response = _ffi.ResponseP()
    slot = _errors.ErrorSlot()
    slot.check(
        lib.alphapo_decode_reply(
            alphapo.Operation.INVOICES_CREATE,
            200,
            seed,
            len(seed),
            ctypes.byref(response),
            slot.ref,
        )
    )
    try:
        assert lib.alphapo_response_malformed_count(response) == 1
        assert _ffi.text(lib.alphapo_response_malformed(response, 0)) == "amount"
        assert _ffi.text(lib.alphapo_response_get(response, b"id")) == "127"
    finally:
        lib.alphapo_response_free(response)

    secret = b"s"
    body = b'{"id": 9, "type": "deposit", "status": "confirmed", "transactions": [{"txid": "ab"}]}'
    signature = alphapo.sign_callback(secret, body).encode()
    signer = _ffi.SignerP()
    assert lib.alphapo_signer_new(secret, len(secret), ctypes.byref(signer)) == 0
    callback = _ffi.CallbackP()
    try:
        slot.check(
            lib.alphapo_callback_parse(
                signer,
                body,
                len(body),
                signature,
                len(signature),
                None,
                None,
                ctypes.byref(callback),
                slot.ref,
            )
        )
        assert _ffi.text(lib.alphapo_callback_dedupe_key(callback)) .startswith("deposit:9:confirmed:")
        assert _ffi.text(lib.alphapo_callback_get(callback, b"transactions.0.txid")) == "ab"
        assert lib.alphapo_callback_get(callback, b"missing") is None
    finally:
        lib.alphapo_callback_free(callback)
        lib.alphapo_signer_free(signer)


def test_free_functions_accept_null():
    for name, (restype, argtypes) in _ffi.FUNCTIONS.items():
        if name.endswith("_free") and restype is None:
            getattr(lib, name)(None)
    assert lib.alphapo_error_status(None) == alphapo.Status.NULL_ARGUMENT
    assert lib.alphapo_error_message(None) is None
    assert _ffi.take_string(lib.alphapo_error_fields_json(None)) is None
