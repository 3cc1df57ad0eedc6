<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Exception\ConnectionException;
use AlphaPo\Tests\Support\SandboxTestCase;

/**
 * The `proxy` option through a real proxy (tinyproxy, installed by
 * scripts/install-test-deps.sh), and a client shared across pcntl_fork(): both processes keep
 * working, the child on connections of its own.
 */
final class ProxyAndForkTest extends SandboxTestCase
{
    private const PASSWORD = 'php-proxy-pass-93d1';

    public function testACallThroughARealProxy(): void
    {
        $port = self::freePort();
        $dir = sys_get_temp_dir() . '/alphapo-php-tinyproxy-' . bin2hex(random_bytes(4));
        mkdir($dir);
        // tinyproxy 1.10 (Debian 11) needs the *Servers settings; 1.11 warns that they are
        // obsolete (on stderr, kept in a file) and ignores them.
        file_put_contents(
            "$dir/tinyproxy.conf",
            "Port $port\nListen 127.0.0.1\nTimeout 30\nLogFile \"$dir/tinyproxy.log\"\nLogLevel Info\n"
            . "MaxClients 20\nStartServers 2\nMinSpareServers 1\nMaxSpareServers 4\n"
            . "Allow 127.0.0.1\nBasicAuth user " . self::PASSWORD . "\n"
        );
        $proxy = proc_open(
            ['tinyproxy', '-d', '-c', "$dir/tinyproxy.conf"],
            [1 => ['file', '/dev/null', 'w'], 2 => ['file', "$dir/stderr", 'w']],
            $pipes
        );
        self::assertIsResource($proxy, 'tinyproxy must be installed (make test-deps)');
        try {
            $deadline = microtime(true) + 10;
            while (@fsockopen('127.0.0.1', $port) === false) {
                self::assertLessThan($deadline, microtime(true), 'tinyproxy did not start: ' . file_get_contents("$dir/stderr"));
                usleep(50000);
            }
            $client = $this->client(['proxy' => 'http://user:' . self::PASSWORD . "@127.0.0.1:$port", 'maxRetries' => 0]);
            self::assertSame('OK', $client->ping()->data);
            self::assertStringContainsString('CONNECT 127.0.0.1:', (string) file_get_contents("$dir/tinyproxy.log"));
        } finally {
            proc_terminate($proxy);
            proc_close($proxy);
        }

        $dead = $this->client(['proxy' => 'http://user:' . self::PASSWORD . '@127.0.0.1:9', 'maxRetries' => 0]);
        try {
            $dead->ping();
            self::fail('a dead proxy let the call through');
        } catch (ConnectionException $e) {
            self::assertStringNotContainsString(self::PASSWORD, $e->getMessage());
        }
    }

    public function testAClientSharedAcrossForkWorksInBothProcesses(): void
    {
        self::assertTrue(function_exists('pcntl_fork'), 'the pcntl extension (php-cli has it)');
        $client = $this->client(['maxRetries' => 0]);
        self::assertSame('OK', $client->ping()->data);
        $file = tempnam(sys_get_temp_dir(), 'alphapo-fork');
        $pid = pcntl_fork();
        self::assertNotSame(-1, $pid);
        if ($pid === 0) {
            $ok = true;
            try {
                for ($i = 0; $i < 20; $i++) {
                    $ok = $ok && $client->ping()->data === 'OK';
                }
                $ok = $ok && count($client->listAccounts()->data) > 0;
            } catch (\Throwable $e) {
                file_put_contents($file, get_class($e) . ': ' . $e->getMessage());
                posix_kill(posix_getpid(), SIGKILL);
            }
            file_put_contents($file, $ok ? 'ok' : 'bad');
            posix_kill(posix_getpid(), SIGKILL); // no destructors, no PHPUnit shutdown
        }
        for ($i = 0; $i < 20; $i++) {
            self::assertSame('OK', $client->ping()->data);
        }
        pcntl_waitpid($pid, $status);
        self::assertSame('ok', file_get_contents($file));
        unlink($file);
        self::assertSame('OK', $client->ping()->data);
    }

    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr((string) $name, strrpos((string) $name, ':') + 1);
    }
}
