<?php

declare(strict_types=1);

namespace AlphaPo;

/**
 * A list reply (`listAccounts`, `listCurrencies`, `currencyPairs`, `currencyRates`): its
 * typed items in order. Iterate it, count it, index it (`$accounts[0]->balance`), or read
 * `items`; it is read-only. `raw` is the normalized list, each item's `raw` its entry.
 *
 * @template T of Item
 * @property-read list<T> $items
 *
 * @implements \ArrayAccess<int, T>
 * @implements \IteratorAggregate<int, T>
 */
final class ResultList extends Result
{
    /** @var list<Item> */
    protected array $items = [];

    /**
     * @internal
     * @param list<string> $malformed
     * @param list<Item> $items
     */
    public static function withItems(
        int $operation,
        int $httpStatus,
        string $rawBody,
        array $malformed,
        array $items,
        \Closure $loadRaw
    ): self {
        $list = self::fromReply($operation, $httpStatus, $rawBody, $malformed, null, null, $loadRaw);
        $list->items = $items;
        return $list;
    }

    /** @param mixed $offset */
    public function offsetExists($offset): bool
    {
        return isset($this->items[$offset]);
    }

    /**
     * @param mixed $offset
     * @return T|null
     */
    #[\ReturnTypeWillChange]
    public function offsetGet($offset)
    {
        return $this->items[$offset] ?? null;
    }

    /** @return \ArrayIterator<int, T> */
    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->items);
    }

    public function count(): int
    {
        return count($this->items);
    }
}
