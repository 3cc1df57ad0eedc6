<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Callback;
use AlphaPo\Internal\Native;
use AlphaPo\Preload;
use AlphaPo\Tests\Support\Http;
use AlphaPo\Tests\Support\PhpServer;
use AlphaPo\Tests\Support\Sandbox;
use AlphaPo\Tests\Support\SandboxTestCase;

/**
 * The php-fpm setup: ffi.enable=preload (FFI locked), the package preloaded with
 * opcache.preload and its header with ffi.preload. PHP's built-in server enforces the
 * restriction like php-fpm does (the CLI does not), so these run `php -S` with exactly
 * the ini lines the README documents.
 */
final class PreloadTest extends SandboxTestCase
{
    private static string $directory;
    private static string $header;

    public static function setUpBeforeClass(): void
    {
        parent::setUpBeforeClass();
        self::$directory = sys_get_temp_dir() . '/alphapo-preload-' . bin2hex(random_bytes(4));
        [$library, $header] = Native::locate();
        self::$header = Preload::writeHeader($library, $header, self::$directory . '/' . Preload::HEADER_NAME);
    }

    public static function tearDownAfterClass(): void
    {
        @unlink(self::$header);
        @rmdir(self::$directory);
        parent::tearDownAfterClass();
    }

    /** @return array<string, string> the documented ini settings */
    private static function ini(): array
    {
        $user = function_exists('posix_getpwuid') ? (posix_getpwuid(posix_geteuid())['name'] ?? 'root') : (getenv('USER') ?: 'root');
        return Preload::iniSettings(self::$header, $user);
    }

    public function testThePreloadHeader(): void
    {
        [$library, $header] = Native::locate();
        $text = (string) file_get_contents(self::$header);
        self::assertStringStartsWith("#define FFI_SCOPE \"ALPHAPO\"\n#define FFI_LIB \"$library\"\n", $text);
        self::assertStringEndsWith((string) file_get_contents($header), $text);
        self::assertSame([
            'opcache.enable' => '1',
            'opcache.preload' => Native::packageDir() . '/preload.php',
            'ffi.enable' => 'preload',
            'ffi.preload' => self::$header,
            'opcache.preload_user' => 'www-data',
        ], Preload::iniSettings(self::$header));
        self::assertStringContainsString("ffi.enable=preload\n", Preload::iniLines(self::$header));
    }

    public function testLockedFfiUnderAServerSapiGoesThroughTheScope(): void
    {
        $server = new PhpServer(__DIR__ . '/Support/preload-probe.php', self::ini(), ['ALPHAPO_BASE_URL' => $this->sandbox()->baseUrl]);
        try {
            [$status, $body] = Http::request('GET', $server->url . '/');
            self::assertSame(200, $status, $body . $server->log());
            $report = json_decode($body, true);
            self::assertIsArray($report, $body . $server->log());
            self::assertArrayNotHasKey('error', $report, $body . $server->log());
            self::assertSame('cli-server', $report['sapi']);
            self::assertSame('preload', $report['ffi.enable']);
            self::assertTrue($report['preloaded']);
            self::assertSame('scope', $report['mode'], 'FFI::scope("ALPHAPO"), not FFI::cdef');
            self::assertSame(Native::LIBRARY_VERSION, $report['version']);
            self::assertSame('03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec', $report['vector']);
            self::assertSame('10.00000000', $report['invoice_amount']);
            // FFI stays locked for every script that was not preloaded.
            self::assertStringContainsString('ffi.enable', $report['direct_cdef']);
            self::assertStringContainsString('ffi.enable', $report['direct_scope']);
            self::assertStringNotContainsString('Warning', $server->log());
        } finally {
            $server->stop();
        }
    }

    public function testWithoutPreloadingTheLibraryExplainsWhatToDo(): void
    {
        $server = new PhpServer(__DIR__ . '/Support/preload-probe.php', ['ffi.enable' => 'preload'], ['ALPHAPO_BASE_URL' => $this->sandbox()->baseUrl]);
        try {
            [, $body] = Http::request('GET', $server->url . '/');
            $report = json_decode($body, true);
            self::assertStringContainsString('LibraryLoadException: FFI is restricted by ffi.enable=preload in this SAPI (cli-server)', $report['error'] ?? $body);
            self::assertStringContainsString('opcache.preload', $report['error']);
        } finally {
            $server->stop();
        }
    }

    /** @group checkout */
    public function testTheCallbackExampleUnderThePreloadSettings(): void
    {
        $log = sys_get_temp_dir() . '/alphapo-preload-callbacks-' . bin2hex(random_bytes(4)) . '.jsonl';
        $server = new PhpServer(dirname(__DIR__, 3) . '/examples/php/callback.php', self::ini(), [
            'ALPHAPO_SECRET' => Sandbox::SECRET,
            'ALPHAPO_CALLBACK_LOG' => $log,
        ]);
        try {
            $body = '{"id":7,"type":"deposit","status":"confirmed","currency_received":{"currency":"BTC","amount":"0.5"}}';
            [$status, $answer] = Http::request('POST', $server->url . '/callback', $body, [
                'Content-Type: application/json',
                'X-Processing-Key: ' . Sandbox::KEY,
                'X-Processing-Signature: ' . Callback::sign(Sandbox::SECRET, $body),
            ]);
            self::assertSame(200, $status, $answer . $server->log());
            $record = json_decode((string) file_get_contents($log), true);
            self::assertSame(['deposit:7:confirmed:::', '0.5', true], [$record['dedupe_key'], $record['amount'], $record['verified']]);
            [$status] = Http::request('POST', $server->url . '/callback', $body, [
                'X-Processing-Signature: ' . Callback::sign('wrong', $body),
            ]);
            self::assertSame(401, $status);
        } finally {
            $server->stop();
            @unlink($log);
        }
    }

    public function testTheCliWithTheSameSettingsUsesTheScope(): void
    {
        $command = [PHP_BINARY, '-d', 'opcache.enable_cli=1'];
        foreach (self::ini() as $name => $value) {
            array_push($command, '-d', "$name=$value");
        }
        array_push($command, '-r', 'echo AlphaPo\Internal\Native::mode(), " ", AlphaPo\Signature::sign("k", "b");');
        exec(implode(' ', array_map('escapeshellarg', $command)) . ' 2>&1', $output, $code);
        self::assertSame(0, $code, implode("\n", $output));
        self::assertSame('scope ' . hash_hmac('sha512', 'b', 'k'), implode("\n", $output));
    }
}
