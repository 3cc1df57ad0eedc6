<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Exception\InvalidArgumentException;
use AlphaPo\Exception\LibraryLoadException;
use AlphaPo\Internal\Native;

/**
 * php-fpm support: keep `ffi.enable=preload` (FFI locked for every other script) and preload
 * this package.
 *
 * - `ffi.preload` loads a header at startup. PHP reads `FFI_SCOPE` and `FFI_LIB` only from
 *   `#define` lines at the very top of that file, and `FFI_LIB` must be the library's
 *   absolute path, which differs per machine. So the preload header is generated here (by
 *   bin/alphapo-install-lib or writeHeader()): those two lines, then the package's
 *   alphapo_ffi.h unchanged. Never commit it.
 * - `opcache.preload` runs preload.php, which compiles every class of the package: only
 *   preloaded code may use FFI under `ffi.enable=preload`, and the classes then reach the
 *   library through `FFI::scope("ALPHAPO")`.
 */
final class Preload
{
    /** The generated header's file name, next to the library copy in lib/. */
    public const HEADER_NAME = 'alphapo-preload.h';

    /**
     * Writes the preload header for `$library` (absolute path of libalphapo) and `$header`
     * (the package's alphapo_ffi.h) to `$destination` and returns its absolute path.
     */
    public static function writeHeader(string $library, string $header, string $destination): string
    {
        $libraryPath = realpath($library);
        if ($libraryPath === false || !is_file($libraryPath)) {
            throw new LibraryLoadException("the library $library does not exist");
        }
        if (preg_match('/["\\\\\r\n]/', $libraryPath)) {
            throw new InvalidArgumentException(
                "the library path $libraryPath contains a quote, backslash or newline, "
                . 'which an FFI_LIB line cannot hold'
            );
        }
        $code = @file_get_contents($header);
        if ($code === false) {
            throw new LibraryLoadException("cannot read the header $header");
        }
        $text = '#define FFI_SCOPE "' . Native::SCOPE . "\"\n"
            . '#define FFI_LIB "' . $libraryPath . "\"\n"
            . "/* Generated for ffi.preload by alphapo/alphapo (AlphaPo\\Preload::writeHeader):\n"
            . "   the two lines above, then alphapo_ffi.h unchanged. The library path is\n"
            . "   this machine's: regenerate it on each machine, never commit it. */\n"
            . $code;
        $directory = dirname($destination);
        if (!is_dir($directory) && !@mkdir($directory, 0755, true) && !is_dir($directory)) {
            throw new LibraryLoadException("cannot create the directory $directory");
        }
        self::replace($destination, $text);
        return (string) realpath($destination);
    }

    /**
     * The php.ini lines for php-fpm (or any SAPI) with FFI kept locked.
     *
     * @param string $preloadHeader the header from writeHeader()
     * @param string|null $user `opcache.preload_user`: needed when the master runs as root
     *                          (php-fpm's usually does); null leaves it out
     * @return array<string, string>
     */
    public static function iniSettings(string $preloadHeader, ?string $user = 'www-data'): array
    {
        $settings = [
            'opcache.enable' => '1',
            'opcache.preload' => Native::packageDir() . '/preload.php',
            'ffi.enable' => 'preload',
            'ffi.preload' => $preloadHeader,
        ];
        if ($user !== null) {
            $settings['opcache.preload_user'] = $user;
        }
        return $settings;
    }

    /** iniSettings() as php.ini lines. */
    public static function iniLines(string $preloadHeader, ?string $user = 'www-data'): string
    {
        $lines = '';
        foreach (self::iniSettings($preloadHeader, $user) as $name => $value) {
            $lines .= "$name=$value\n";
        }
        return $lines;
    }

    /**
     * Compiles every class of the package (called by preload.php) and returns their names.
     * Warns when the library's FFI scope is missing, i.e. `ffi.preload` is not set.
     *
     * @return list<string>
     */
    public static function classes(): array
    {
        $source = Native::packageDir() . '/src';
        $classes = [];
        $files = new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($source, \FilesystemIterator::SKIP_DOTS)
        );
        foreach ($files as $file) {
            if ($file->getExtension() !== 'php') {
                continue;
            }
            $relative = substr($file->getPathname(), strlen($source) + 1, -4);
            $class = 'AlphaPo\\' . str_replace('/', '\\', $relative);
            if (!class_exists($class) && !interface_exists($class) && !trait_exists($class)) {
                throw new \LogicException("$file does not define $class");
            }
            $classes[] = $class;
        }
        sort($classes);
        return $classes;
    }

    /** Writes a file atomically (a running php-fpm may have the old one open or mapped). */
    public static function replace(string $destination, string $contents): void
    {
        $temporary = $destination . '.tmp' . getmypid();
        if (@file_put_contents($temporary, $contents) === false || !@rename($temporary, $destination)) {
            @unlink($temporary);
            throw new LibraryLoadException("cannot write $destination");
        }
    }

    private function __construct()
    {
    }
}
