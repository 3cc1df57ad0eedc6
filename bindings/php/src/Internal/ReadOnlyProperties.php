<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

/**
 * Public read-only properties in PHP 7.4, which has no `readonly`: the class declares them
 * private and names them in its `PROPERTIES` constant. They read like public properties
 * (`$callback->status`), and every write or unset throws an \Error, as PHP 8.1 does for a
 * readonly property ("Cannot modify read-only property ...").
 *
 * @internal
 */
trait ReadOnlyProperties
{
    /** @return mixed */
    public function __get(string $name)
    {
        if (!in_array($name, self::PROPERTIES, true)) {
            trigger_error(sprintf('Undefined property: %s::$%s', self::class, $name), E_USER_WARNING);
            return null;
        }
        return $this->$name;
    }

    public function __isset(string $name): bool
    {
        return in_array($name, self::PROPERTIES, true) && $this->$name !== null;
    }

    /** @param mixed $value */
    public function __set(string $name, $value): void
    {
        throw new \Error(sprintf('Cannot modify read-only property %s::$%s', self::class, $name));
    }

    public function __unset(string $name): void
    {
        throw new \Error(sprintf('Cannot unset read-only property %s::$%s', self::class, $name));
    }
}
