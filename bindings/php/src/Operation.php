<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * The API operations (`alphapo_operation` in include/alphapo.h), for {@see Client::call()},
 * {@see Client::prepare()} and {@see Client::decodeReply()}. Mirrored from the header and
 * the library's operations table (`alphapo_operations_json()`: each constant is a row's
 * name in capitals); tests/HeaderTest.php and tests/OperationsTableTest.php check both.
 */
final class Operation
{
    public const PING = 1;
    public const ACCOUNTS_LIST = 2;
    public const CURRENCIES_LIST = 3;
    public const CURRENCIES_PAIRS = 4;
    public const CURRENCIES_RATES = 5;
    public const ADDRESSES_TAKE = 6;
    public const WITHDRAWAL_CRYPTO = 7;
    public const EXCHANGE_CALCULATE = 8;
    public const EXCHANGE_FIXED = 9;
    public const EXCHANGE_NOW = 10;
    public const INVOICES_CREATE = 11;
    public const INVOICES_CANCEL = 12;
    public const TRANSACTIONS_INFO = 13;
    public const GENERIC = 14;
    public const PAYMENT_REQUESTS_CREATE = 15;

    private function __construct()
    {
    }
}
