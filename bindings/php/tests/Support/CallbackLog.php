<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

/** The JSON-lines file where the example callback endpoints record each processed event. */
final class CallbackLog
{
    /** @return list<array<string, mixed>> the records so far (none when the file is absent) */
    public static function read(string $path): array
    {
        $lines = is_file($path) ? file($path, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) : [];
        return array_map(fn ($l) => json_decode($l, true, 512, JSON_THROW_ON_ERROR), $lines ?: []);
    }
}
