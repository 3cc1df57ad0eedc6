<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\InvalidArgumentException;
use AlphaPo\Operation;
use AlphaPo\PreparedRequest;
use AlphaPo\Result;
use AlphaPo\Status;

/**
 * Records of the client's `'logger'` option (a PSR-3 logger): one DEBUG record per call
 * (operation, method, path template, HTTP status or error status, milliseconds) and a
 * WARNING when a call ends with OUTCOME_UNKNOWN. What goes into a record is chosen here and
 * nowhere else: the operation's name, the method, the path without its query, statuses,
 * timing and the `foreign_id`; never a secret, a signature, an API key, a body or personal
 * data. The package does not require psr/log: any object with PSR-3's `debug()` and
 * `warning()` methods will do. A logger that throws never turns a call's result into a
 * failure (nor replaces its exception).
 *
 * @internal
 */
final class CallLog
{
    private function __construct()
    {
    }

    /**
     * Checks the `'logger'` option: null, or an object with PSR-3's `debug()` and `warning()`.
     *
     * @param mixed $logger
     */
    public static function logger($logger): ?object
    {
        if ($logger === null) {
            return null;
        }
        if (!is_object($logger) || !method_exists($logger, 'debug') || !method_exists($logger, 'warning')) {
            throw new InvalidArgumentException(
                'logger must be a Psr\Log\LoggerInterface (or an object with its debug() and warning() methods), not '
                . Fields::typeName($logger)
            );
        }
        return $logger;
    }

    /**
     * [name, method, path] of a call() of `$operation` with `$request` (the generic
     * operation: the request's method and its path without query); `$name` replaces the
     * operation's name (e.g. 'reconcile').
     *
     * @param string|array<string, mixed> $request
     * @return array{0: string, 1: string, 2: string}
     */
    public static function route(int $operation, $request, ?string $name = null): array
    {
        $row = Operations::row($operation);
        if ($row === null) {
            return ['call', '?', '?'];
        }
        if ($operation !== Operation::GENERIC) {
            return [$name ?? $row['method'], $row['http_method'], $row['route']];
        }
        $fields = is_array($request) ? $request : json_decode((string) $request, true);
        $method = is_array($fields) && is_string($fields['method'] ?? null) ? strtoupper($fields['method']) : 'POST';
        $path = is_array($fields) ? ($fields['path'] ?? null) : null;
        return ['request', $method, self::barePath($path)];
    }

    /**
     * [name, method, path] of a send() of `$prepared`.
     *
     * @return array{0: string, 1: string, 2: string}
     */
    public static function preparedRoute(PreparedRequest $prepared): array
    {
        $row = Operations::row($prepared->operation);
        if ($row !== null && $prepared->operation !== Operation::GENERIC) {
            return ['send', $row['http_method'], $row['route']];
        }
        return ['send', $prepared->method, self::barePath(parse_url($prepared->url, PHP_URL_PATH))];
    }

    /** @param mixed $path a caller-given path: without its query or fragment (they may carry data) */
    public static function barePath($path): string
    {
        if (!is_string($path)) {
            return '?';
        }
        return explode('#', explode('?', $path, 2)[0], 2)[0];
    }

    /**
     * Runs `$call` and records it on `$logger` (nothing when null); returns its result and
     * lets its exception through.
     *
     * @template T
     * @param array{0: string, 1: string, 2: string} $route see route()
     * @param callable(): T $call
     * @return T
     */
    public static function around(?object $logger, array $route, callable $call)
    {
        if ($logger === null) {
            return $call();
        }
        $start = hrtime(true);
        try {
            $result = $call();
        } catch (AlphaPoException $e) {
            self::done($logger, $route, (hrtime(true) - $start) / 1e6, null, $e, $e->getAttempts());
            throw $e;
        }
        // Only reconcile() returns something else than a Result: null for its 404.
        $httpStatus = $result instanceof Result ? $result->httpStatus : 404;
        $attempts = $result instanceof Result ? $result->attempts : null;
        self::done($logger, $route, (hrtime(true) - $start) / 1e6, $httpStatus, null, $attempts);
        return $result;
    }

    /**
     * @param array{0: string, 1: string, 2: string} $route
     * @param array<string, mixed>|null $attempts the call's attempt record
     */
    private static function done(
        object $logger,
        array $route,
        float $ms,
        ?int $httpStatus,
        ?AlphaPoException $error,
        ?array $attempts
    ): void {
        $tries = is_array($attempts['attempts'] ?? null) ? $attempts['attempts'] : [];
        [$operation, $method, $path] = $route;
        if ($error !== null) {
            $httpStatus = $error->getHttpStatus() > 0 ? $error->getHttpStatus() : null;
        }
        $status = $error === null ? 'OK' : $error->getStatusName();
        $context = [
            'operation' => $operation,
            'method' => $method,
            'path' => $path,
            'http_status' => $httpStatus,
            'status' => $status,
            'elapsed_ms' => round($ms, 3),
            'attempts' => count($tries),
        ];
        $summary = sprintf('%s %s %s', $operation, $method, $path);
        try {
            $logger->debug(sprintf(
                'alphapo: %s -> %s in %.1f ms, %d attempt(s)',
                $summary,
                $httpStatus ?? $status,
                $ms,
                count($tries)
            ), $context);
            if (count($tries) > 1) {
                $each = array_map(function (array $a): string {
                    $http = (int) ($a['http_status'] ?? 0);
                    return sprintf(
                        '%s%s in %.1f ms',
                        (string) ($a['status'] ?? '?'),
                        $http > 0 ? " $http" : '',
                        ((int) ($a['duration_us'] ?? 0)) / 1000
                    );
                }, $tries);
                $logger->warning(sprintf('alphapo: %s: retried: %s', $summary, implode(', ', $each)), $context);
            }
            if ($error !== null && $error->getStatus() === Status::OUTCOME_UNKNOWN) {
                $cause = $error->getCause() === null ? null : Status::name($error->getCause());
                $foreignId = $error->getForeignId();
                $logger->warning(sprintf(
                    'alphapo: %s: outcome unknown (cause %s) for foreign_id %s; do not repeat it '
                    . 'with a new foreign_id: wait for its callback or reconcile(foreign_id)',
                    $summary,
                    $cause ?? '-',
                    $foreignId ?? '-'
                ), $context + ['cause' => $cause, 'foreign_id' => $foreignId]);
            }
        } catch (\Throwable $ignored) {
            // The call's own result (or exception) matters more than its log record.
        }
    }
}
