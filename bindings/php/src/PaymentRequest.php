<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * A created payment request (`createPaymentRequest`). `paymentLink` is the hosted payment
 * page (opaque: redirect the payer to it as it is); `status` is `created`, then
 * `processing`, `paid`, `failed`, `expired` (by callback), or a new value; `lifeTime` is
 * the expiry in Unix seconds. Amounts are decimal strings.
 *
 * @property-read ?string $id the request's id (a UUID; `paymentRequestId` in its callbacks)
 * @property-read ?string $paymentLink
 * @property-read ?string $status
 * @property-read ?string $amount
 * @property-read ?string $currency
 * @property-read ?string $currencyNetworkName
 * @property-read ?int $lifeTime
 * @property-read ?string $foreignId
 * @property-read ?string $endUserReference
 * @property-read ?string $endUserEmail
 * @property-read ?string $description
 * @property-read ?string $urlStore
 */
final class PaymentRequest extends Result
{
    protected ?string $id = null;
    protected ?string $paymentLink = null;
    protected ?string $status = null;
    protected ?string $amount = null;
    protected ?string $currency = null;
    protected ?string $currencyNetworkName = null;
    protected ?int $lifeTime = null;
    protected ?string $foreignId = null;
    protected ?string $endUserReference = null;
    protected ?string $endUserEmail = null;
    protected ?string $description = null;
    protected ?string $urlStore = null;
}
