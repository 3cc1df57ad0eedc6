<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Internal\Fields;

/**
 * What every typed object of a reply has: its declared, typed, read-only properties (the
 * library's typed result, field by field: amounts are decimal strings with the API's
 * digits, never floats; ids and timestamps ints; a field the reply lacks is null) and
 * `raw`, the normalized data of this object (unknown fields included).
 *
 * Properties are named in camelCase (`$invoice->foreignId`); the API's snake_case names
 * read the same (`$invoice->foreign_id`). A name that is no property reads the field of
 * `raw` (null when missing), `$item['field']` and `$item->get('a.b')` read `raw` too.
 * Every write or unset throws an \Error, as PHP 8.1 does for a readonly property.
 *
 * @property-read mixed $raw the normalized data of this object
 * @property-read mixed $data the same as `raw`
 *
 * @implements \ArrayAccess<int|string, mixed>
 * @implements \IteratorAggregate<int|string, mixed>
 */
abstract class Item implements \ArrayAccess, \IteratorAggregate, \Countable, \JsonSerializable
{
    /** The properties loaded on first read, by lazy() (`data` is `raw`). */
    protected const LAZY = ['raw' => true, 'data' => true];

    /** @var mixed the normalized data, once loaded */
    private $raw = null;
    /**
     * Loads `raw` on first use, given this object (the library decodes it again from the
     * raw body).
     */
    private ?\Closure $loadRaw = null;
    /** @var array<string, mixed>|null the library's typed result by wire name, read by typed() */
    private ?array $typed = null;

    /** @var array<string, array<string, string>> class => [property => wire name] */
    private static array $typedFields = [];
    /** @var array<string, array<string, true>> class => readable property names */
    private static array $readable = [];

    final protected function __construct()
    {
    }

    /**
     * An object of `static` from the library's typed result `$typed` (fields by wire name):
     * each declared property takes the field of its snake_case name, as is, when first read
     * (see typed()).
     *
     * @internal
     * @param mixed $typed
     * @param mixed $raw the normalized data, when `$loadRaw` is null
     * @param \Closure|null $loadRaw called with the object when `raw` is first read
     * @return static
     */
    public static function fromTyped($typed, $raw, ?\Closure $loadRaw = null): self
    {
        $item = new static();
        $item->raw = $raw;
        $item->loadRaw = $loadRaw;
        $item->typed = \is_array($typed) ? $typed : null;
        return $item;
    }

    /**
     * Declared property `$name`, taken from the library's typed result on first read: the
     * field of its snake_case name, as is (left null when it is not of the declared type,
     * e.g. an id beyond PHP_INT_MAX: `raw` keeps it).
     *
     * @return mixed
     */
    private function typed(string $name)
    {
        if ($this->typed !== null) {
            $wire = (self::$typedFields[static::class] ?? self::typedFields(static::class))[$name] ?? null;
            if ($wire !== null && isset($this->typed[$wire])) {
                $value = $this->typed[$wire];
                unset($this->typed[$wire]); // taken once
                try {
                    $this->$name = $value;
                } catch (\TypeError $e) {
                    // Not of the declared type: kept in raw only.
                }
            }
        }
        return $this->$name;
    }

    /** Every declared property taken from the typed result (before the object is serialized). */
    private function allTyped(): void
    {
        if ($this->typed !== null) {
            foreach (self::$typedFields[static::class] ?? self::typedFields(static::class) as $name => $wire) {
                $this->typed($name);
            }
            $this->typed = null;
        }
    }

    /**
     * The typed properties of `$class` and the wire name each is read from: its declared
     * properties minus those every result has (`raw`, `httpStatus`, ...).
     *
     * @param class-string<Item> $class
     * @return array<string, string> property => wire name
     */
    public static function typedFields(string $class): array
    {
        if (!isset(self::$typedFields[$class])) {
            $fields = [];
            foreach ((new \ReflectionClass($class))->getProperties() as $property) {
                $declaring = $property->getDeclaringClass()->getName();
                if ($property->isStatic() || !$property->isProtected()
                    || $declaring === self::class || $declaring === Result::class) {
                    continue;
                }
                $fields[$property->getName()] = Fields::wireName($property->getName());
            }
            self::$typedFields[$class] = $fields;
        }
        return self::$typedFields[$class];
    }

    /**
     * The value at a dotted path of `raw` (`"url"`, `"0.currency"`, `"currency_from.min_amount"`).
     *
     * @param mixed $default
     * @return mixed
     */
    public function get(string $path, $default = null)
    {
        return self::dig($this->raw(), $path, $default);
    }

    /** `raw` as an array (a scalar such as ping's `"OK"` gives `[]`). */
    public function toArray(): array
    {
        $raw = $this->raw();
        return is_array($raw) ? $raw : [];
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

    /** @return mixed */
    private function raw()
    {
        if ($this->loadRaw !== null) {
            $this->raw = ($this->loadRaw)($this);
            $this->loadRaw = null;
        }
        return $this->raw;
    }

    /**
     * The value of a property of LAZY, loaded on first read.
     *
     * @return mixed
     */
    protected function lazy(string $property)
    {
        return $this->raw();
    }

    /**
     * A property (camelCase or snake_case), else a field of `raw`; null when missing.
     *
     * @return mixed
     */
    public function __get(string $name)
    {
        $readable = self::$readable[static::class] ?? self::readable();
        if (!isset($readable[$name])) {
            $camel = Internal\Operations::camel($name);
            if (!isset($readable[$camel])) {
                $data = $this->toArray();
                return $data[$name] ?? $data[Fields::wireName($name)] ?? null;
            }
            $name = $camel;
        }
        return isset(static::LAZY[$name]) ? $this->lazy($name) : $this->typed($name);
    }

    /** @return array<string, true> */
    private static function readable(): array
    {
        $names = ['raw' => true, 'data' => true];
        foreach ((new \ReflectionClass(static::class))->getProperties() as $property) {
            if (!$property->isStatic() && $property->isProtected()) {
                $names[$property->getName()] = true;
            }
        }
        return self::$readable[static::class] = $names;
    }

    public function __isset(string $name): bool
    {
        return $this->__get($name) !== null;
    }

    /** @param mixed $value */
    public function __set(string $name, $value): void
    {
        throw new \Error(sprintf('Cannot modify read-only property %s::$%s', static::class, $name));
    }

    public function __unset(string $name): void
    {
        throw new \Error(sprintf('Cannot unset read-only property %s::$%s', static::class, $name));
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
        throw new \Error(sprintf('Cannot modify read-only %s', static::class));
    }

    /** @param mixed $offset */
    public function offsetUnset($offset): void
    {
        throw new \Error(sprintf('Cannot modify read-only %s', static::class));
    }

    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->toArray());
    }

    public function count(): int
    {
        return count($this->toArray());
    }

    /** @return mixed `raw` */
    #[\ReturnTypeWillChange]
    public function jsonSerialize()
    {
        return $this->raw();
    }

    /** The properties, `raw` loaded. */
    public function __debugInfo(): array
    {
        $info = [];
        foreach (array_keys(self::$readable[static::class] ?? self::readable()) as $name) {
            if ($name !== 'data') {
                $info[$name] = isset(static::LAZY[$name]) ? $this->lazy($name) : $this->typed($name);
            }
        }
        return $info;
    }

    public function __serialize(): array
    {
        foreach (static::LAZY as $property => $true) {
            $this->lazy($property);
        }
        $this->allTyped();
        $values = get_object_vars($this);
        unset($values['loadRaw'], $values['typed']);
        return $values;
    }

    public function __unserialize(array $data): void
    {
        foreach ($data as $name => $value) {
            $this->$name = $value;
        }
    }
}
