<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * An invoice (`createInvoice`, `cancelInvoice`). `url` is the hosted payment page; `status`
 * is `created`, `pending`, `processing`, `confirmed`, `failed`, or a new value. Amounts are
 * decimal strings.
 *
 * @property-read ?int $id
 * @property-read ?string $url
 * @property-read ?string $foreignId
 * @property-read ?string $endUserReference
 * @property-read ?string $address
 * @property-read ?string $title
 * @property-read ?string $status
 * @property-read ?string $currency
 * @property-read ?string $amount
 * @property-read ?string $senderCurrency
 * @property-read ?string $senderAmount
 * @property-read ?int $fixedAt
 * @property-read ?int $releaseAt
 * @property-read ?int $secondsLeft
 */
final class Invoice extends Result
{
    protected ?int $id = null;
    protected ?string $url = null;
    protected ?string $foreignId = null;
    protected ?string $endUserReference = null;
    protected ?string $address = null;
    protected ?string $title = null;
    protected ?string $status = null;
    protected ?string $currency = null;
    protected ?string $amount = null;
    protected ?string $senderCurrency = null;
    protected ?string $senderAmount = null;
    protected ?int $fixedAt = null;
    protected ?int $releaseAt = null;
    protected ?int $secondsLeft = null;
}
