<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Internal\Native;
use FFI\CData;

/**
 * A decoded reply, read-only.
 *
 * `data` is the normalized `data` of the reply, as arrays: amounts and references are
 * decimal strings with the API's digits (never floats), ids and timestamps ints, unknown
 * fields kept. Values the library could not understand are kept verbatim and their dotted
 * paths listed in `malformed`. `rawBody` is the reply exactly as received.
 *
 * Read fields as `$result['url']`, `$result->url`, `$result->foreignId` (camelCase works),
 * `$result->get('currency_from.min_amount')`, or iterate a list result:
 * `foreach ($client->listAccounts() as $account)`. A missing field reads as null.
 *
 * @property-read int $operation the {@see Operation} constant
 * @property-read int $httpStatus
 * @property-read mixed $data normalized data: an array for most operations, `"OK"` for ping
 * @property-read list<string> $malformed
 * @property-read string $rawBody
 *
 * @implements \ArrayAccess<int|string, mixed>
 * @implements \IteratorAggregate<int|string, mixed>
 */
final class Result implements \ArrayAccess, \IteratorAggregate, \Countable, \JsonSerializable
{
    /** The properties that read like public ones (PHP 7.4 has no `readonly`). */
    private const PROPERTIES = ['operation', 'httpStatus', 'data', 'malformed', 'rawBody'];

    private int $operation;
    private int $httpStatus;
    /** @var mixed */
    private $data;
    /** @var list<string> */
    private array $malformed;
    private string $rawBody;

    /**
     * @param mixed $data normalized data: an array for most operations, `"OK"` for ping
     * @param list<string> $malformed
     */
    public function __construct(int $operation, int $httpStatus, $data, array $malformed, string $rawBody)
    {
        $this->operation = $operation;
        $this->httpStatus = $httpStatus;
        $this->data = $data;
        $this->malformed = $malformed;
        $this->rawBody = $rawBody;
    }

    /**
     * Reads a response handle, then frees it.
     *
     * @internal
     */
    public static function fromNative(int $operation, CData $response): self
    {
        $ffi = Native::ffi();
        try {
            $json = Native::ownedString($ffi->alphapo_response_json($response));
            $length = $ffi->new('size_t');
            $raw = Native::borrowedBytes(
                $ffi->alphapo_response_raw_body($response, \FFI::addr($length)),
                (int) $length->cdata
            );
            $status = (int) $ffi->alphapo_response_http_status($response);
        } finally {
            $ffi->alphapo_response_free($response);
        }
        $envelope = json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        return new self(
            $operation,
            $status,
            $envelope['data'] ?? null,
            $envelope['malformed'] ?? [],
            $raw ?? ''
        );
    }

    /**
     * The value at a dotted path (`"url"`, `"0.currency"`, `"currency_from.min_amount"`).
     *
     * @param mixed $default
     * @return mixed
     */
    public function get(string $path, $default = null)
    {
        return self::dig($this->data, $path, $default);
    }

    /** The data as an array (a scalar reply such as ping's `"OK"` gives `[]`). */
    public function toArray(): array
    {
        return is_array($this->data) ? $this->data : [];
    }

    /** Whether the library kept some value verbatim because it could not understand it. */
    public function hasMalformed(): bool
    {
        return $this->malformed !== [];
    }

    /**
     * @internal also used by Callback
     * @param mixed $data
     * @param mixed $default
     * @return mixed
     */
    public static function dig($data, string $path, $default = null)
    {
        foreach (explode('.', $path) as $key) {
            if (!is_array($data) || !array_key_exists($key, $data)) {
                return $default;
            }
            $data = $data[$key];
        }
        return $data ?? $default;
    }

    /**
     * A property, else a field of `data` (snake_case or camelCase); null when missing.
     *
     * @return mixed
     */
    public function __get(string $name)
    {
        if (in_array($name, self::PROPERTIES, true)) {
            return $this->$name;
        }
        $data = $this->toArray();
        return $data[$name] ?? $data[Internal\Fields::wireName($name)] ?? null;
    }

    public function __isset(string $name): bool
    {
        return $this->__get($name) !== null;
    }

    /** @param mixed $value */
    public function __set(string $name, $value): void
    {
        throw new \LogicException('an AlphaPo\Result is read-only');
    }

    public function __unset(string $name): void
    {
        throw new \LogicException('an AlphaPo\Result is read-only');
    }

    /** @param mixed $offset */
    public function offsetExists($offset): bool
    {
        return isset($this->toArray()[$offset]);
    }

    /**
     * @param mixed $offset
     * @return mixed
     */
    #[\ReturnTypeWillChange]
    public function offsetGet($offset)
    {
        return $this->toArray()[$offset] ?? null;
    }

    /**
     * @param mixed $offset
     * @param mixed $value
     */
    public function offsetSet($offset, $value): void
    {
        throw new \LogicException('an AlphaPo\Result is read-only');
    }

    /** @param mixed $offset */
    public function offsetUnset($offset): void
    {
        throw new \LogicException('an AlphaPo\Result is read-only');
    }

    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->toArray());
    }

    public function count(): int
    {
        return count($this->toArray());
    }

    /** @return mixed */
    #[\ReturnTypeWillChange]
    public function jsonSerialize()
    {
        return $this->data;
    }
}
