<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * One pair of `currencyPairs` or `currencyRates`: `minAmount` is the minimum amount of
 * `currencyFrom` to exchange; rates are decimal strings.
 *
 * @property-read ?string $currencyFrom
 * @property-read ?string $currencyTo
 * @property-read ?string $minAmount
 * @property-read ?string $rateFrom
 * @property-read ?string $rateTo
 */
final class CurrencyPair extends Item
{
    protected ?string $currencyFrom = null;
    protected ?string $currencyTo = null;
    protected ?string $minAmount = null;
    protected ?string $rateFrom = null;
    protected ?string $rateTo = null;
}
