<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

use AlphaPo\Exception\InvalidArgumentException;

/**
 * Turns a method's array of wire fields into the JSON object the library takes. Which fields
 * exist and what they may hold is the library's business: it refuses unknown fields and
 * checks every rule. This class only translates PHP values, and refuses floats, which cannot
 * hold decimal money exactly.
 *
 * @internal
 */
final class Fields
{
    /**
     * @param array<string, mixed> $fields wire names
     * @param array<int|string, mixed> $unexpected whatever the method got after the array
     *                                             (extra or, on PHP 8, named arguments): refused
     */
    public static function json(array $fields, array $unexpected = []): string
    {
        if ($unexpected !== []) {
            throw new InvalidArgumentException(sprintf(
                'pass the fields as one array of the API\'s field names (["foreign_id" => "..."]), '
                . 'not as %s',
                is_string(array_key_first($unexpected)) ? 'named arguments' : 'extra arguments'
            ));
        }
        return self::encode($fields);
    }

    /** The JSON object for `$fields` (an empty array is `{}`). */
    public static function encode(array $fields): string
    {
        $fields = self::check($fields, '');
        if ($fields === []) {
            return '{}';
        }
        try {
            return json_encode(
                $fields,
                JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
                | JSON_PRESERVE_ZERO_FRACTION
            );
        } catch (\JsonException $e) {
            throw new InvalidArgumentException(
                'the request cannot be encoded as JSON: ' . $e->getMessage() . ' (strings must be UTF-8)',
                null, 0, null, [], null, $e // status, HTTP status, API code, fields, raw body, previous
            );
        }
    }

    /** `foreignId` => `foreign_id`; snake_case names are kept (Result reads both). */
    public static function wireName(string $name): string
    {
        return strtolower((string) preg_replace('/(?<=[a-z0-9])([A-Z])/', '_$1', $name));
    }

    /**
     * The type of `$value` as PHP 8's get_debug_type() names it: `null`, `bool`, `int`,
     * `float`, `string`, `array`, a class name.
     *
     * @param mixed $value
     */
    public static function typeName($value): string
    {
        if (is_object($value)) {
            return get_class($value);
        }
        $names = ['NULL' => 'null', 'boolean' => 'bool', 'integer' => 'int', 'double' => 'float'];
        $type = gettype($value);
        return $names[$type] ?? $type;
    }

    /**
     * Refuses floats (with the path of the value) and objects without __toString()
     * (decimal objects such as brick/math's BigDecimal have one), which become their string.
     */
    private static function check(array $values, string $path): array
    {
        foreach ($values as $key => $value) {
            // Qualified names: PHP compiles these checks inline instead of calling a function.
            if (\is_string($value) || \is_int($value) || \is_bool($value) || $value === null) {
                continue; // the common case, taken as it is
            }
            $where = $path === '' ? (string) $key : "$path.$key";
            if (is_float($value)) {
                throw new InvalidArgumentException(sprintf(
                    '"%s" is a float (%s): money must be exact, and a PHP float cannot hold most '
                    . 'decimal amounts (0.1 + 0.2 != 0.3), so the library refuses floats. '
                    . 'Pass the amount as a decimal string, e.g. "%s", or as an int.',
                    $where,
                    var_export($value, true),
                    is_finite($value) ? rtrim(rtrim(sprintf('%.8F', $value), '0'), '.') : '10.00'
                ));
            }
            if (is_array($value)) {
                $values[$key] = self::check($value, $where);
            } elseif (is_object($value)) {
                if (!method_exists($value, '__toString')) {
                    throw new InvalidArgumentException(sprintf(
                        '"%s" is an object of class %s; pass strings, ints, bools, null or arrays',
                        $where,
                        get_class($value)
                    ));
                }
                $values[$key] = (string) $value;
            } elseif (is_resource($value)) {
                throw new InvalidArgumentException("\"$where\" is a resource");
            }
        }
        return $values;
    }
}
