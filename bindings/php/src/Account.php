<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * One balance of `listAccounts`; `balance` is a decimal string.
 *
 * @property-read ?string $currency
 * @property-read ?string $type
 * @property-read ?string $balance
 */
final class Account extends Item
{
    protected ?string $currency = null;
    protected ?string $type = null;
    protected ?string $balance = null;
}
