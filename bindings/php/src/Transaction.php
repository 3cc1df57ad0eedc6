<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Internal\TransactionFields;

/**
 * A transaction (`transactionInfo`, `reconcile`). `error` says why it failed (null when
 * empty). Amounts are decimal strings.
 *
 * @property-read ?int $id
 * @property-read ?string $type
 * @property-read ?string $status
 * @property-read ?string $foreignId
 * @property-read ?string $endUserReference
 * @property-read ?string $sentCurrency
 * @property-read ?string $sentAmount
 * @property-read ?string $receivedCurrency
 * @property-read ?string $receivedAmount
 * @property-read ?string $error
 */
final class Transaction extends Result
{
    use TransactionFields;
}
