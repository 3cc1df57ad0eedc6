<?php

/*
 * The client's 'logger' option: one debug() record per call (operation, method, path, HTTP
 * status, milliseconds; never a secret, a signature, a body or personal data), a warning()
 * when a money-moving call ends with an unknown outcome.
 *
 * Pass any PSR-3 logger (Monolog, your framework's logger service). The package does not
 * require psr/log: this example uses an object with PSR-3's methods that writes to standard
 * error, and runs without psr/log installed.
 *
 *   ALPHAPO_BASE_URL=http://127.0.0.1:PORT/api/v2 php examples/php/logging.php
 *
 * Environment: ALPHAPO_KEY, ALPHAPO_SECRET (defaults: the local sandbox's sandbox-key and
 * sandbox-secret), ALPHAPO_BASE_URL (default: the local sandbox on 127.0.0.1:8080).
 */

declare(strict_types=1);

// The autoloader (in your project: require 'vendor/autoload.php') and example_client().
require __DIR__ . '/_example.php';

/** Stands in for a Psr\Log\LoggerInterface (in a project: Monolog\Logger, for instance). */
final class StderrLogger
{
    /** @param array<string, mixed> $context */
    public function debug(string $message, array $context = []): void
    {
        $this->log('debug', $message, $context);
    }

    /** @param array<string, mixed> $context */
    public function warning(string $message, array $context = []): void
    {
        $this->log('warning', $message, $context);
    }

    /** @param array<string, mixed> $context */
    public function log(string $level, string $message, array $context = []): void
    {
        fwrite(STDERR, strtoupper($level) . " $message " . json_encode($context, JSON_UNESCAPED_SLASHES) . "\n");
    }
}

$client = example_client(['logger' => new StderrLogger()], 'http://127.0.0.1:8080/api/v2');
$client->ping();
$client->listAccounts();
