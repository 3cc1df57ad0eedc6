<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

use AlphaPo\Exception\InvalidArgumentException;

/**
 * Turns a method's arguments into the JSON object the library takes: an array of wire fields
 * and/or named arguments (camelCase or snake_case; `foreignId` is sent as `foreign_id`).
 * Which fields exist and what they may hold is the library's business: it refuses unknown
 * fields and checks every rule. This class only translates PHP values, and refuses floats,
 * which cannot hold decimal money exactly.
 *
 * @internal
 */
final class Fields
{
    /**
     * @param array<string, mixed> $fields wire names
     * @param array<int|string, mixed> $named the method's variadic named arguments
     */
    public static function json(array $fields, array $named = []): string
    {
        foreach ($named as $name => $value) {
            if (is_int($name)) {
                throw new InvalidArgumentException(
                    'pass the fields as one array or as named arguments (foreignId: "..."), '
                    . 'not as extra positional arguments'
                );
            }
            $wire = self::wireName($name);
            if (array_key_exists($wire, $fields)) {
                throw new InvalidArgumentException("field \"$wire\" is given twice");
            }
            $fields[$wire] = $value;
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
                | JSON_PRESERVE_ZERO_FRACTION,
            );
        } catch (\JsonException $e) {
            throw new InvalidArgumentException(
                'the request cannot be encoded as JSON: ' . $e->getMessage()
                . ' (strings must be UTF-8)',
                previous: $e,
            );
        }
    }

    /** `foreignId` => `foreign_id`; snake_case names are kept. */
    public static function wireName(string $name): string
    {
        return strtolower((string) preg_replace('/(?<=[a-z0-9])([A-Z])/', '_$1', $name));
    }

    /**
     * Refuses floats (with the path of the value) and objects other than \Stringable
     * (decimal objects such as brick/math's BigDecimal), which become their string.
     */
    private static function check(array $values, string $path): array
    {
        foreach ($values as $key => $value) {
            $where = $path === '' ? (string) $key : "$path.$key";
            if (is_float($value)) {
                throw new InvalidArgumentException(sprintf(
                    '"%s" is a float (%s): money must be exact, and a PHP float cannot hold most '
                    . 'decimal amounts (0.1 + 0.2 != 0.3), so the library refuses floats. '
                    . 'Pass the amount as a decimal string, e.g. "%s", or as an int.',
                    $where,
                    var_export($value, true),
                    is_finite($value) ? rtrim(rtrim(sprintf('%.8F', $value), '0'), '.') : '10.00',
                ));
            }
            if (is_array($value)) {
                $values[$key] = self::check($value, $where);
            } elseif (is_object($value)) {
                if (!$value instanceof \Stringable) {
                    throw new InvalidArgumentException(sprintf(
                        '"%s" is an object of class %s; pass strings, ints, bools, null or arrays',
                        $where,
                        $value::class,
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
