<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * A quote (`calculateExchange`) or an accepted exchange (`exchangeFixed`, `exchangeNow`).
 * Amounts and `price` are decimal strings; `tsFixed` and `tsRelease` Unix seconds.
 *
 * @property-read ?int $id
 * @property-read ?string $foreignId
 * @property-read ?string $senderCurrency
 * @property-read ?string $senderAmount
 * @property-read ?string $receiverCurrency
 * @property-read ?string $receiverAmount
 * @property-read ?string $feeCurrency
 * @property-read ?string $feeAmount
 * @property-read ?string $price
 * @property-read ?int $tsFixed
 * @property-read ?int $tsRelease
 * @property-read ?string $status
 */
final class Exchange extends Result
{
    protected ?int $id = null;
    protected ?string $foreignId = null;
    protected ?string $senderCurrency = null;
    protected ?string $senderAmount = null;
    protected ?string $receiverCurrency = null;
    protected ?string $receiverAmount = null;
    protected ?string $feeCurrency = null;
    protected ?string $feeAmount = null;
    protected ?string $price = null;
    protected ?int $tsFixed = null;
    protected ?int $tsRelease = null;
    protected ?string $status = null;
}
