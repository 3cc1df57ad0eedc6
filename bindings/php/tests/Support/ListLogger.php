<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

use Psr\Log\AbstractLogger;

/** A PSR-3 logger (Debian's php-psr-log) that keeps every record: [level, message, context]. */
final class ListLogger extends AbstractLogger
{
    /** @var list<array{0: string, 1: string, 2: array<string, mixed>}> */
    public array $records = [];

    /**
     * @param mixed $level
     * @param string|\Stringable $message
     * @param array<string, mixed> $context
     */
    public function log($level, $message, array $context = []): void
    {
        $this->records[] = [(string) $level, (string) $message, $context];
    }

    /** @return list<array{0: string, 1: string, 2: array<string, mixed>}> */
    public function at(string $level): array
    {
        return array_values(array_filter($this->records, fn ($r) => $r[0] === $level));
    }
}
