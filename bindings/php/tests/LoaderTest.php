<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Internal\Native;
use PHPUnit\Framework\TestCase;

/**
 * How the library and header are found. Each case runs in its own PHP process, because a
 * process loads them once.
 */
final class LoaderTest extends TestCase
{
    private static string $copy;

    public static function setUpBeforeClass(): void
    {
        // A copy of the package outside the repository: no lib/, no target/release nearby.
        self::$copy = sys_get_temp_dir() . '/alphapo-loader-' . bin2hex(random_bytes(4)) . '/vendor/alphapo/alphapo';
        mkdir(self::$copy, 0755, true);
        self::copyTree(Native::packageDir() . '/src', self::$copy . '/src');
        self::copyTree(Native::packageDir() . '/bin', self::$copy . '/bin');
        copy(Native::packageDir() . '/autoload.php', self::$copy . '/autoload.php');
        chmod(self::$copy . '/bin/alphapo-install-lib', 0755);
    }

    public static function tearDownAfterClass(): void
    {
        exec('rm -rf ' . escapeshellarg(dirname(self::$copy, 3)));
    }

    private static function copyTree(string $from, string $to): void
    {
        mkdir($to, 0755, true);
        foreach (new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($from, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::SELF_FIRST) as $item) {
            $target = $to . substr($item->getPathname(), strlen($from));
            $item->isDir() ? @mkdir($target, 0755, true) : copy($item->getPathname(), $target);
        }
    }

    /**
     * Runs PHP code with the package at `$package` and returns [exit code, output].
     *
     * @param array<string, string|false> $environment false removes a variable
     * @param list<string> $ini
     * @return array{0: int, 1: string}
     */
    private static function runPhp(string $package, string $code, array $environment = [], array $ini = []): array
    {
        $env = getenv();
        unset($env['ALPHAPO_LIBRARY'], $env['ALPHAPO_HEADER']);
        foreach ($environment as $name => $value) {
            if ($value === false) {
                unset($env[$name]);
            } else {
                $env[$name] = $value;
            }
        }
        $command = [PHP_BINARY];
        foreach ($ini as $setting) {
            array_push($command, '-d', $setting);
        }
        array_push($command, '-r', 'require ' . var_export($package . '/autoload.php', true) . '; ' . $code);
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
        $output = stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        return [proc_close($process), (string) $output];
    }

    private const PROBE = 'try { echo AlphaPo\Internal\Native::mode(), " ", AlphaPo\Internal\Native::libraryPath(), " ", AlphaPo\Internal\Native::headerPath(); } catch (AlphaPo\Exception\LibraryLoadException $e) { echo get_class($e), ": ", $e->getMessage(); }';

    public function testTheRepositoryBuildIsFoundFromACheckout(): void
    {
        [$code, $output] = self::runPhp(Native::packageDir(), self::PROBE);
        self::assertSame(0, $code, $output);
        [$library, $header] = Native::locate();
        $expected = is_file(Native::packageDir() . '/lib/' . Native::libraryFileName())
            ? Native::packageDir() . '/lib/'
            : dirname(Native::packageDir(), 2) . '/target/release/';
        self::assertStringStartsWith(realpath($expected), $library);
        self::assertSame("cdef $library $header", $output);
    }

    public function testNothingFoundNamesEverythingTried(): void
    {
        [, $output] = self::runPhp(self::$copy, self::PROBE);
        self::assertStringContainsString('LibraryLoadException: libalphapo not found; tried:', $output);
        self::assertStringContainsString('ALPHAPO_LIBRARY (not set)', $output);
        self::assertStringContainsString(self::$copy . '/lib/' . Native::libraryFileName() . ' (missing)', $output);
        self::assertStringContainsString(dirname(self::$copy, 2) . '/target/release/' . Native::libraryFileName() . ' (missing)', $output);
        self::assertStringContainsString('cargo build --release', $output);
    }

    public function testEnvironmentVariablesWin(): void
    {
        [$library, $header] = Native::locate();
        [$code, $output] = self::runPhp(self::$copy, self::PROBE, ['ALPHAPO_LIBRARY' => $library, 'ALPHAPO_HEADER' => $header]);
        self::assertSame(0, $code, $output);
        self::assertSame("cdef $library $header", $output);

        [, $output] = self::runPhp(self::$copy, self::PROBE, ['ALPHAPO_LIBRARY' => '/nonexistent/libalphapo.so']);
        self::assertStringContainsString('ALPHAPO_LIBRARY=/nonexistent/libalphapo.so does not exist', $output);

        [, $output] = self::runPhp(self::$copy, self::PROBE, ['ALPHAPO_LIBRARY' => $library]);
        self::assertStringContainsString('the header alphapo.h not found; tried: ALPHAPO_HEADER (not set)', $output);
    }

    public function testTheInstallScriptCopiesIntoThePackage(): void
    {
        [$library, $header] = Native::locate();
        $command = [PHP_BINARY, self::$copy . '/bin/alphapo-install-lib', '--library', $library, '--header', $header, '--user', 'nobody'];
        exec(implode(' ', array_map('escapeshellarg', $command)) . ' 2>&1', $lines, $code);
        $output = implode("\n", $lines);
        self::assertSame(0, $code, $output);
        self::assertFileEquals($library, self::$copy . '/lib/' . Native::libraryFileName());
        self::assertFileEquals($header, self::$copy . '/lib/alphapo.h');
        $preload = self::$copy . '/lib/alphapo-preload.h';
        self::assertStringStartsWith(
            "#define FFI_SCOPE \"ALPHAPO\"\n#define FFI_LIB \"" . self::$copy . '/lib/' . Native::libraryFileName() . "\"\n",
            (string) file_get_contents($preload)
        );
        self::assertStringContainsString("ffi.preload=$preload", $output);
        self::assertStringContainsString('ffi.enable=preload', $output);
        self::assertStringContainsString('opcache.preload_user=nobody', $output);

        // Now the package's own copy is found, without any environment variable.
        [$code, $output] = self::runPhp(self::$copy, self::PROBE);
        self::assertSame(0, $code, $output);
        self::assertSame('cdef ' . self::$copy . '/lib/' . Native::libraryFileName() . ' ' . self::$copy . '/lib/alphapo.h', $output);
    }

    public function testLockedFfiGivesAnExplanation(): void
    {
        [, $output] = self::runPhp(Native::packageDir(), self::PROBE, [], ['ffi.enable=0']);
        self::assertStringContainsString('LibraryLoadException: FFI is restricted by ffi.enable=', $output);
        self::assertStringContainsString('opcache.preload', $output);
    }

    public function testAnIncompatibleHeaderIsReported(): void
    {
        $bad = sys_get_temp_dir() . '/alphapo-bad-' . bin2hex(random_bytes(4)) . '.h';
        file_put_contents($bad, "typedef enum : uint32_t { A = 1 } broken;\n");
        try {
            [, $output] = self::runPhp(self::$copy, self::PROBE, ['ALPHAPO_LIBRARY' => Native::locate()[0], 'ALPHAPO_HEADER' => $bad]);
        } finally {
            unlink($bad);
        }
        self::assertStringContainsString("PHP FFI cannot parse the header $bad", $output);
    }
}
