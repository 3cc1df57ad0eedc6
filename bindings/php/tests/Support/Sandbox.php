<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

use AlphaPo\Client;

/**
 * A running examples/sandbox process (binary: $ALPHAPO_SANDBOX, else the repository's
 * target/release/examples/sandbox). Missing binary: the test fails, it is never skipped.
 */
final class Sandbox
{
    public const KEY = 'sandbox-key';
    public const SECRET = 'sandbox-secret';

    private ChildProcess $process;
    public string $baseUrl;
    public string $origin;
    public ?string $certificate;
    public string $logFile;
    public string $key;
    public string $secret;

    /** @param list<string> $arguments extra command-line options */
    public function __construct(array $arguments = [], string $key = self::KEY, string $secret = self::SECRET)
    {
        $this->key = $key;
        $this->secret = $secret;
        $command = array_merge(
            [self::binary(), '--listen', '127.0.0.1:0', '--key', $key, '--secret', $secret],
            $arguments
        );
        $this->process = new ChildProcess($command, 'alphapo-sandbox-log-', true);
        $this->logFile = $this->process->logFile;
        $stdout = $this->process->stdout;
        $first = self::readLine($stdout, 10.0);
        if (!preg_match('#^listening on (\S+/api/v2)$#', $first, $m)) {
            $this->stop();
            throw new \RuntimeException(
                "sandbox did not start: first line \"$first\"; log: " . $this->process->log()
            );
        }
        $this->baseUrl = $m[1];
        $this->origin = substr($m[1], 0, -strlen('/api/v2'));
        $certificate = null;
        if (in_array('--tls', $arguments, true)) {
            $line = self::readLine($stdout, 10.0);
            if (!preg_match('#^certificate (.+)$#', $line, $c)) {
                $this->stop();
                throw new \RuntimeException("sandbox --tls: no certificate line, got \"$line\"");
            }
            $certificate = $c[1];
        }
        $this->certificate = $certificate;
        fclose($stdout);
    }

    public static function binary(): string
    {
        $binary = getenv('ALPHAPO_SANDBOX') ?: dirname(__DIR__, 4) . '/target/release/examples/sandbox';
        if (!is_file($binary) || !is_executable($binary)) {
            throw new \RuntimeException(
                "the sandbox binary $binary is missing: run `cargo build --release --example sandbox` "
                . 'or set ALPHAPO_SANDBOX'
            );
        }
        return $binary;
    }

    /** A client for this sandbox. */
    public function client(array $options = [], ?string $key = null, ?string $secret = null): Client
    {
        return new Client($key ?? $this->key, $secret ?? $this->secret, $options + [
            'baseUrl' => $this->baseUrl,
            'timeout' => 10,
            'connectTimeout' => 5,
        ]);
    }

    /**
     * Calls the control API (`/_sandbox/...`, no signature).
     *
     * @return array{0: int, 1: mixed} HTTP status and decoded JSON
     */
    public function control(string $method, string $path, ?array $body = null): array
    {
        [$status, $text] = Http::request(
            $method,
            $this->origin . '/_sandbox/' . ltrim($path, '/'),
            $body === null ? '' : json_encode($body, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES),
            ['Content-Type: application/json']
        );
        return [$status, json_decode($text, true)];
    }

    /**
     * Like control(), but fails unless the answer is 2xx.
     *
     * @return mixed the decoded JSON
     */
    public function ok(string $method, string $path, ?array $body = null)
    {
        [$status, $data] = $this->control($method, $path, $body);
        if ($status < 200 || $status > 299) {
            throw new \RuntimeException("sandbox control $method $path: HTTP $status " . json_encode($data));
        }
        return $data;
    }

    public function stop(): void
    {
        $this->process->stop();
    }

    /** @param resource $stream */
    private static function readLine($stream, float $timeout): string
    {
        $deadline = microtime(true) + $timeout;
        $line = '';
        while (substr($line, -1) !== "\n") {
            $left = $deadline - microtime(true);
            if ($left <= 0) {
                break;
            }
            $read = [$stream];
            $write = $except = null;
            if (stream_select($read, $write, $except, 0, (int) min($left * 1e6, 200000)) > 0) {
                $chunk = fgets($stream);
                if ($chunk === false) {
                    break;
                }
                $line .= $chunk;
            }
        }
        return rtrim($line, "\r\n");
    }
}
