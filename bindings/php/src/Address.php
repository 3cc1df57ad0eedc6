<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * A deposit address (`takeAddress`). Show `tag` too when it is set.
 *
 * @property-read ?int $id
 * @property-read ?string $currency
 * @property-read ?string $convertTo
 * @property-read ?string $address
 * @property-read ?string $tag
 * @property-read ?string $foreignId
 * @property-read ?string $endUserReference
 */
final class Address extends Result
{
    protected ?int $id = null;
    protected ?string $currency = null;
    protected ?string $convertTo = null;
    protected ?string $address = null;
    protected ?string $tag = null;
    protected ?string $foreignId = null;
    protected ?string $endUserReference = null;
}
