<?php

declare(strict_types=1);

namespace AlphaPo\Internal;

use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\InvalidArgumentException;
use AlphaPo\Exception\LibraryLoadException;
use AlphaPo\Status;
use FFI\CData;

/**
 * The one place that loads libalphapo and talks to it: a single cached \FFI instance per
 * process (per request under php-fpm preloading), buffers for byte arguments, owned string
 * copies, and the conversion of every failure into an exception.
 *
 * Loading order:
 * 1. `FFI::scope("ALPHAPO")`, when the header was preloaded (`ffi.preload`, see preload.php);
 * 2. `FFI::cdef(header, library)` with the header and library found by absolute path:
 *    `ALPHAPO_HEADER` / `ALPHAPO_LIBRARY` environment variables, else the copies in the
 *    package's `lib/` (bin/alphapo-install-lib), else the package's own `alphapo_ffi.h`
 *    (include/alphapo.h without preprocessor lines and comments) and a repository
 *    checkout's `target/release/libalphapo.so`.
 *
 * @internal
 */
final class Native
{
    /** The `FFI_SCOPE` of include/alphapo.h (a #define, which PHP cannot read). */
    public const SCOPE = 'ALPHAPO';

    /**
     * The library version this package was written for (`ALPHAPO_VERSION` in the header).
     * Before 1.0 the library must have the same major.minor, after it the same major.
     */
    public const LIBRARY_VERSION = '0.1.0';

    private static ?\FFI $ffi = null;
    private static string $mode = '';
    private static ?string $libraryPath = null;
    private static ?string $headerPath = null;

    public static function ffi(): \FFI
    {
        return self::$ffi ?? self::load();
    }

    /** `'scope'` (preloaded header) or `'cdef'` (header loaded at run time); loads if needed. */
    public static function mode(): string
    {
        self::ffi();
        return self::$mode;
    }

    /** The library file loaded with FFI::cdef, or null in scope mode. */
    public static function libraryPath(): ?string
    {
        self::ffi();
        return self::$libraryPath;
    }

    /** The header file loaded with FFI::cdef, or null in scope mode. */
    public static function headerPath(): ?string
    {
        self::ffi();
        return self::$headerPath;
    }

    private static function load(): \FFI
    {
        if (!extension_loaded('ffi')) {
            throw new LibraryLoadException(
                'the PHP FFI extension is not loaded: install php-ffi (Debian: part of '
                . 'phpX.Y-common) and enable it (extension=ffi)'
            );
        }
        $scopeError = null;
        try {
            $ffi = \FFI::scope(self::SCOPE);
            self::$mode = 'scope';
        } catch (\FFI\Exception $e) {
            $scopeError = $e->getMessage();
            $ffi = self::cdef($scopeError);
            self::$mode = 'cdef';
        }
        self::checkVersion($ffi);
        return self::$ffi = $ffi;
    }

    private static function cdef(string $scopeError): \FFI
    {
        [$library, $header] = self::locate();
        $code = @file_get_contents($header);
        if ($code === false) {
            throw new LibraryLoadException("cannot read the libalphapo header $header");
        }
        try {
            $ffi = \FFI::cdef($code, $library);
        } catch (\FFI\ParserException $e) {
            throw new LibraryLoadException(
                "PHP FFI cannot parse the header $header: " . $e->getMessage(),
                null, 0, null, [], null, $e // status, HTTP status, API code, fields, raw body, previous
            );
        } catch (\FFI\Exception $e) {
            if (strpos($e->getMessage(), 'ffi.enable') !== false) {
                throw new LibraryLoadException(sprintf(
                    'FFI is restricted by ffi.enable=%s in this SAPI (%s). Production (php-fpm): '
                    . 'preload the package: opcache.preload=<package>/preload.php, '
                    . 'ffi.preload=<generated preload header>, see the package README; '
                    . 'FFI::scope("%s") said: %s. Development only: -d ffi.enable=1.',
                    (string) ini_get('ffi.enable'),
                    PHP_SAPI,
                    self::SCOPE,
                    $scopeError
                ), null, 0, null, [], null, $e);
            }
            throw new LibraryLoadException(
                "cannot load libalphapo $library: " . $e->getMessage(),
                null, 0, null, [], null, $e
            );
        }
        self::$libraryPath = $library;
        self::$headerPath = $header;
        return $ffi;
    }

    private static function checkVersion(\FFI $ffi): void
    {
        $version = (string) $ffi->alphapo_version();
        $have = array_map('intval', explode('.', $version));
        $want = array_map('intval', explode('.', self::LIBRARY_VERSION));
        $compatible = $want[0] === 0
            ? ($have[0] ?? -1) === 0 && ($have[1] ?? -1) === $want[1]
            : ($have[0] ?? -1) === $want[0];
        if (!$compatible) {
            throw new LibraryLoadException(sprintf(
                'libalphapo %s (%s) is not compatible with this package, written for %s',
                $version,
                self::$libraryPath ?? 'FFI scope ' . self::SCOPE,
                self::LIBRARY_VERSION
            ));
        }
    }

    /** The library's file name on this OS. */
    public static function libraryFileName(): string
    {
        switch (PHP_OS_FAMILY) {
            case 'Darwin':
                return 'libalphapo.dylib';
            case 'Windows':
                return 'alphapo.dll';
            default:
                return 'libalphapo.so';
        }
    }

    /** The package directory (bindings/php in the repository). */
    public static function packageDir(): string
    {
        return dirname(__DIR__, 2);
    }

    /**
     * The library and header to load, as absolute paths.
     *
     * @return array{0: string, 1: string}
     * @throws LibraryLoadException naming every place tried
     */
    public static function locate(): array
    {
        $package = self::packageDir();
        $repository = dirname($package, 2);
        $library = self::find('ALPHAPO_LIBRARY', 'libalphapo', [
            $package . '/lib/' . self::libraryFileName(),
            $repository . '/target/release/' . self::libraryFileName(),
        ], 'build it with `cargo build --release`, copy it with bin/alphapo-install-lib, '
            . 'or set ALPHAPO_LIBRARY to its absolute path');
        $header = self::find('ALPHAPO_HEADER', 'the header alphapo.h', [
            $package . '/lib/alphapo.h',
            $package . '/alphapo_ffi.h',
        ], 'copy it with bin/alphapo-install-lib or set ALPHAPO_HEADER to its absolute path');
        return [$library, $header];
    }

    /** @param list<string> $candidates */
    private static function find(string $variable, string $what, array $candidates, string $hint): string
    {
        $tried = [];
        $override = getenv($variable);
        if (is_string($override) && $override !== '') {
            $path = realpath($override);
            if ($path !== false && is_file($path)) {
                return $path;
            }
            throw new LibraryLoadException("$what not found: $variable=$override does not exist");
        }
        $tried[] = "$variable (not set)";
        foreach ($candidates as $candidate) {
            $path = realpath($candidate);
            if ($path !== false && is_file($path)) {
                return $path;
            }
            $tried[] = $candidate . ' (missing)';
        }
        throw new LibraryLoadException("$what not found; tried: " . implode(', ', $tried) . "; $hint");
    }

    // ---- argument helpers -------------------------------------------------------------

    /**
     * A copy of `$bytes` in C memory for a `const uint8_t*` argument (PHP FFI passes PHP
     * strings only as `char*`); null for an empty string (the library takes NULL, 0).
     */
    public static function bytes(string $bytes): ?CData
    {
        $length = strlen($bytes);
        if ($length === 0) {
            return null;
        }
        $buffer = self::ffi()->new("uint8_t[$length]");
        \FFI::memcpy($buffer, $bytes, $length);
        return $buffer;
    }

    /** Overwrites a buffer made by bytes() (used for secrets). */
    public static function wipe(?CData $buffer, int $length): void
    {
        if ($buffer !== null && $length > 0) {
            \FFI::memset($buffer, 0, $length);
        }
    }

    /** A string for a NUL-terminated `const char*` argument: refuses embedded NULs. */
    public static function cString(string $value, string $what): string
    {
        if (strpos($value, "\0") !== false) {
            throw new InvalidArgumentException("$what must not contain NUL bytes");
        }
        return $value;
    }

    /** @var array<string, \FFI\CType> `T*` types by `T`, parsed once */
    private static array $slotTypes = [];

    /** A fresh `T*` slot for an out-parameter (pass it with \FFI::addr()). */
    public static function slot(string $type): CData
    {
        $ffi = self::$ffi ?? self::ffi();
        return $ffi->new(self::$slotTypes[$type] ?? (self::$slotTypes[$type] = $ffi->type($type . '*')));
    }

    /** Copies an owned `char*` result into a PHP string and frees it with alphapo_string_free. */
    public static function ownedString(?CData $pointer): ?string
    {
        if ($pointer === null || \FFI::isNull($pointer)) {
            return null;
        }
        try {
            return \FFI::string($pointer);
        } finally {
            self::ffi()->alphapo_string_free($pointer);
        }
    }

    /** Copies `length` bytes from a borrowed `const uint8_t*`; null for NULL. */
    public static function borrowedBytes(?CData $pointer, int $length): ?string
    {
        if ($pointer === null || \FFI::isNull($pointer)) {
            return null;
        }
        return $length > 0 ? \FFI::string($pointer, $length) : '';
    }

    /**
     * Throws the exception for `$status` unless it is OK; reads and frees the error object in
     * `$error` (an `alphapo_error*` slot) either way.
     *
     * @throws AlphaPoException
     */
    public static function check(int $status, ?CData $error = null): void
    {
        if ($status !== Status::OK) {
            throw Errors::fromNative($status, $error);
        }
        if ($error !== null && !\FFI::isNull($error)) {
            self::ffi()->alphapo_error_free($error);
        }
    }
}
