"""The package derives its operations and result types from the core: these tests fail when
the core's operations table or its typed results and the package drift apart."""

import inspect
import json
from decimal import Decimal

import pytest

import alphapo
from alphapo import _models, _operations

SAMPLES = {
    "invoice": b'{"data":{"id":1,"name":"t","amount":"1.5","sender_amount":"0.1.2"}}',
    "address": b'{"data":{"id":1,"tag":5}}',
    "withdrawal": b'{"data":{"id":1,"amount":"2"}}',
    "exchange": b'{"data":{"id":1,"price":"3"}}',
    "transaction": b'{"id":1,"currency_sent":{"currency":"BTC","amount":"1"}}',
    "accounts": b'{"data":[{"currency":"BTC","type":"crypto","balance":"1"}]}',
    "currencies": b'{"data":[{"id":1,"currency":"BTC","minimum_amount":"0.1"}]}',
    "pairs": b'{"data":[{"currency_from":{"currency":"BTC"},"currency_to":{"currency":"EUR"}}]}',
    "payment_request": b'{"data":{"id":"0196f6a1-0000-7000-8000-000000000001","amount":"5",'
    b'"currency":{"iso":"EUR"},"status":"created","life_time":1790000000}}',
}


def test_operation_enum_matches_the_core_table():
    table = {row.code: row for row in _operations.OPERATIONS}
    assert {int(op) for op in alphapo.Operation} == set(table)
    for op in alphapo.Operation:
        assert op.name == table[op].name.upper().replace("/", "_")


def test_every_row_has_a_method_and_a_derived_prepare_twin():
    for row in _operations.OPERATIONS:
        method = getattr(alphapo.Client, row.method_name)
        twin = getattr(alphapo.Client, "prepare_" + row.method_name)
        assert method._alphapo[0] == row.code
        assert inspect.signature(twin).parameters == inspect.signature(method).parameters
        if row.identifier:
            param = inspect.signature(method).parameters[row.identifier]
            assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, row.method_name


@pytest.mark.parametrize("result", sorted(SAMPLES))
def test_dataclass_fields_are_the_core_result_fields(result):
    code = next(row.code for row in _operations.OPERATIONS if row.result == result)
    value = alphapo.parse_reply(code, 200, SAMPLES[result])
    item = value[0] if isinstance(value, _models.ResultList) else value
    cls = type(item)
    assert cls is _models.RESULT_TYPES[result]
    core = _core_result(code, SAMPLES[result])
    core = core[0] if isinstance(core, list) else core
    assert set(core) - {"malformed_fields"} == set(_models.result_fields(cls))


def test_callback_fields_are_the_core_result_fields(monkeypatch):
    body = b'{"id":1,"type":"invoice","status":"confirmed","currency_sent":{"amount":"1"}}'
    seen = {}
    build = _models.callback

    def spy(envelope, raw_body):
        seen.update(envelope)
        return build(envelope, raw_body)

    monkeypatch.setattr(_models, "callback", spy)
    callback = alphapo.parse_callback(body, alphapo.sign(b"s", body), b"s")
    assert set(seen["result"]) - {"malformed_fields"} == set(
        _models.result_fields(_models.Callback)
    )
    assert callback.fully_paid and callback.dedupe_key.startswith("invoice:1:confirmed")


def test_a_malformed_amount_stays_text_and_others_are_decimal():
    invoice = alphapo.parse_reply(alphapo.Operation.INVOICES_CREATE, 200, SAMPLES["invoice"])
    assert invoice.amount == Decimal("1.5") and isinstance(invoice.amount, Decimal)
    assert invoice.sender_amount == "0.1.2"
    assert invoice.title == "t"  # the core's fallback to "name"
    assert "sender_amount" in invoice.malformed


def _core_result(code, body):
    from alphapo import _ffi
    from alphapo._errors import ErrorSlot

    out = _ffi.ResponseP()
    slot = ErrorSlot()
    slot.check(_ffi.lib.alphapo_decode_reply(code, 200, body, len(body), out, slot.ref))
    try:
        return json.loads(_ffi.take_string(_ffi.lib.alphapo_response_json(out)))["result"]
    finally:
        _ffi.lib.alphapo_response_free(out)
