<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * An accepted withdrawal (`withdraw`); its outcome arrives by callback. Amounts are decimal
 * strings.
 *
 * @property-read ?int $id
 * @property-read ?string $foreignId
 * @property-read ?string $type
 * @property-read ?string $status
 * @property-read ?string $amount
 * @property-read ?string $senderCurrency
 * @property-read ?string $senderAmount
 * @property-read ?string $receiverCurrency
 * @property-read ?string $receiverAmount
 */
final class Withdrawal extends Result
{
    protected ?int $id = null;
    protected ?string $foreignId = null;
    protected ?string $type = null;
    protected ?string $status = null;
    protected ?string $amount = null;
    protected ?string $senderCurrency = null;
    protected ?string $senderAmount = null;
    protected ?string $receiverCurrency = null;
    protected ?string $receiverAmount = null;
}
