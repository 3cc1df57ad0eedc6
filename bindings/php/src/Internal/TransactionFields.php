<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

/**
 * The typed fields of a transaction, which a callback reports too: libalphapo's
 * `Transaction`, which its `Callback` holds as its common fields. Used by
 * {@see \AlphaPo\Transaction} and {@see \AlphaPo\Callback}; each documents them with its own
 * `@property-read` tags.
 *
 * @internal
 */
trait TransactionFields
{
    protected ?int $id = null;
    protected ?string $type = null;
    protected ?string $status = null;
    protected ?string $foreignId = null;
    protected ?string $endUserReference = null;
    protected ?string $sentCurrency = null;
    protected ?string $sentAmount = null;
    protected ?string $receivedCurrency = null;
    protected ?string $receivedAmount = null;
    protected ?string $error = null;
}
