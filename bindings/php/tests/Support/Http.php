<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

/** A tiny HTTP/1.1 client over PHP streams (php-cli has no curl by default). */
final class Http
{
    /**
     * @param list<string> $headers
     * @return array{0: int, 1: string, 2: array<string, string>} status, body, headers (lowercase names)
     */
    public static function request(string $method, string $url, string $body = '', array $headers = [], float $timeout = 10.0): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => implode("\r\n", array_merge($headers, ['Connection: close'])),
            'content' => $body,
            'ignore_errors' => true,
            'timeout' => $timeout,
            'protocol_version' => 1.1,
        ]]);
        $response = @file_get_contents($url, false, $context);
        $lines = $http_response_header ?? [];
        if ($response === false && $lines === []) {
            throw new \RuntimeException("$method $url: no reply");
        }
        $status = 0;
        $parsed = [];
        foreach ($lines as $line) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m)) {
                $status = (int) $m[1];
                $parsed = [];
            } elseif (strpos($line, ':') !== false) {
                [$name, $value] = explode(':', $line, 2);
                $parsed[strtolower(trim($name))] = trim($value);
            }
        }
        return [$status, (string) $response, $parsed];
    }

    /** A free loopback port (bound then released). */
    public static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($socket === false) {
            throw new \RuntimeException("no free port: $error");
        }
        $name = (string) stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    public static function waitForPort(int $port, float $timeout = 10.0): void
    {
        $deadline = microtime(true) + $timeout;
        while (microtime(true) < $deadline) {
            $socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $error, 0.2);
            if ($socket !== false) {
                fclose($socket);
                return;
            }
            usleep(20000);
        }
        throw new \RuntimeException("nothing listens on 127.0.0.1:$port after {$timeout}s");
    }
}
