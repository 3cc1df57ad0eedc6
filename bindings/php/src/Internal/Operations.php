<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

/**
 * The library's operations table (`alphapo_operations_json()`): one row per operation with
 * its number (an {@see \AlphaPo\Operation} constant), name, client method, HTTP method, path
 * template, retry class and typed result. The client's `prepare...` methods, the result
 * class of each operation and the log records' routes are derived from it.
 *
 * @internal
 */
final class Operations
{
    /** @var array<int, array{code: int, name: string, method: string, http_method: string, base: string, path: string, route: string, retry_class: string, result: string}>|null */
    private static ?array $byCode = null;
    /** @var array<string, int>|null */
    private static ?array $byMethod = null;

    private function __construct()
    {
    }

    /**
     * Every row by its number; `method` is the client method in camelCase
     * (`createInvoice`), derived from the table's snake_case `method_name`.
     *
     * @return array<int, array{code: int, name: string, method: string, http_method: string, base: string, path: string, route: string, retry_class: string, result: string}>
     */
    public static function all(): array
    {
        if (self::$byCode === null) {
            $json = (string) Native::ffi()->alphapo_operations_json();
            $rows = json_decode($json, true, 8, JSON_THROW_ON_ERROR);
            $byCode = [];
            foreach ($rows as $row) {
                $row['method'] = self::camel((string) $row['method_name']);
                $byCode[(int) $row['code']] = $row;
            }
            self::$byCode = $byCode;
            self::$byMethod = array_flip(array_map(function (array $row): string {
                return $row['method'];
            }, $byCode));
        }
        return self::$byCode;
    }

    /**
     * The row of an operation number, or null when the library has no such operation.
     *
     * @return array{code: int, name: string, method: string, http_method: string, base: string, path: string, route: string, retry_class: string, result: string}|null
     */
    public static function row(int $operation): ?array
    {
        return self::all()[$operation] ?? null;
    }

    /** The operation number of a client method (`createInvoice`), or null. */
    public static function byMethod(string $method): ?int
    {
        self::all();
        return self::$byMethod[$method] ?? null;
    }

    /** `create_invoice` => `createInvoice`. */
    public static function camel(string $snake): string
    {
        return lcfirst(str_replace('_', '', ucwords($snake, '_')));
    }
}
