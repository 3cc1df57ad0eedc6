<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * One currency of `listCurrencies`. Amounts and percentages are decimal strings.
 *
 * @property-read ?int $id
 * @property-read ?string $type
 * @property-read ?string $currency
 * @property-read ?string $minimumAmount
 * @property-read ?string $depositFeePercent
 * @property-read ?string $withdrawalFeePercent
 * @property-read ?int $precision
 */
final class Currency extends Item
{
    protected ?int $id = null;
    protected ?string $type = null;
    protected ?string $currency = null;
    protected ?string $minimumAmount = null;
    protected ?string $depositFeePercent = null;
    protected ?string $withdrawalFeePercent = null;
    protected ?int $precision = null;
}
