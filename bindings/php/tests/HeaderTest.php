<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Environment;
use AlphaPo\Internal\Errors;
use AlphaPo\Internal\Native;
use AlphaPo\Operation;
use AlphaPo\Status;
use PHPUnit\Framework\TestCase;

/**
 * The real include/alphapo.h parses with FFI::cdef, and every constant PHP mirrors (PHP
 * ignores #define and cannot read C enums by name) matches it.
 */
final class HeaderTest extends TestCase
{
    private static function header(): string
    {
        return Native::locate()[1];
    }

    /** @return array<string, int> NAME => value of `typedef enum { ... } $type;` */
    private static function headerEnum(string $type): array
    {
        $text = (string) file_get_contents(self::header());
        $text = (string) preg_replace('#/\*.*?\*/#s', '', $text);
        if (!preg_match('/typedef enum \{([^}]*)\}\s*' . preg_quote($type, '/') . '\s*;/', $text, $m)) {
            self::fail("no enum $type in the header");
        }
        preg_match_all('/\b([A-Z][A-Z0-9_]*)\s*=\s*(\d+)/', $m[1], $items, PREG_SET_ORDER);
        $values = [];
        foreach ($items as [, $name, $value]) {
            $values[$name] = (int) $value;
        }
        self::assertNotEmpty($values);
        return $values;
    }

    /** @return array<string, int> */
    private static function phpConstants(string $class, string $prefix): array
    {
        $values = [];
        foreach ((new \ReflectionClass($class))->getReflectionConstants() as $constant) {
            if ($constant->isPublic()) {
                $values[$prefix . $constant->getName()] = $constant->getValue();
            }
        }
        return $values;
    }

    public function testTheRealHeaderParsesWithFfiCdef(): void
    {
        [$library, $header] = Native::locate();
        $ffi = \FFI::cdef((string) file_get_contents($header), $library);
        self::assertSame(Native::LIBRARY_VERSION, $ffi->alphapo_version());
        self::assertStringEndsWith("\n", (string) file_get_contents($header));
    }

    public function testTheWrapperLoadsTheHeaderOnceWithCdef(): void
    {
        self::assertSame('cdef', Native::mode());
        self::assertSame(Native::locate(), [Native::libraryPath(), Native::headerPath()]);
        self::assertSame(Native::ffi(), Native::ffi(), 'one cached FFI instance per process');
    }

    public function testStatusConstantsMatchTheHeaderAndTheLibrary(): void
    {
        $header = self::headerEnum('alphapo_status');
        self::assertSame($header, self::phpConstants(Status::class, 'ALPHAPO_STATUS_'));
        foreach ($header as $name => $value) {
            self::assertSame($name, Native::ffi()->alphapo_status_name($value));
            self::assertSame($name, Status::name($value));
        }
        self::assertSame('ALPHAPO_STATUS_UNKNOWN', Native::ffi()->alphapo_status_name(98));
        self::assertSame('ALPHAPO_STATUS_UNKNOWN', Status::name(98));
    }

    public function testEnvironmentConstantsMatchTheHeader(): void
    {
        $header = self::headerEnum('alphapo_environment');
        self::assertSame($header, self::phpConstants(Environment::class, 'ALPHAPO_ENVIRONMENT_'));
        foreach ($header as $name => $value) {
            self::assertSame($value, Environment::fromName(strtolower(substr($name, strlen('ALPHAPO_ENVIRONMENT_')))));
        }
    }

    public function testOperationConstantsMatchTheHeader(): void
    {
        self::assertSame(
            self::headerEnum('alphapo_operation'),
            self::phpConstants(Operation::class, 'ALPHAPO_OPERATION_')
        );
    }

    /** @group checkout */
    public function testVersionAndScopeMatchTheHeaderDefines(): void
    {
        // The #define lines live in the C header only (PHP's alphapo_ffi.h has no
        // preprocessor line).
        $text = (string) file_get_contents(dirname(Native::packageDir(), 2) . '/include/alphapo.h');
        self::assertMatchesRegularExpression('/^#define ALPHAPO_VERSION "([^"]+)"$/m', $text);
        preg_match('/^#define ALPHAPO_VERSION "([^"]+)"$/m', $text, $version);
        self::assertSame(Native::LIBRARY_VERSION, $version[1]);
        self::assertSame($version[1], Native::ffi()->alphapo_version());
        preg_match('/^#define FFI_SCOPE "([^"]+)"$/m', $text, $scope);
        self::assertSame(Native::SCOPE, $scope[1] ?? null);
    }

    public function testEveryFailureStatusHasItsExceptionClass(): void
    {
        foreach (self::phpConstants(Status::class, '') as $name => $value) {
            if ($value === Status::OK) {
                continue;
            }
            self::assertArrayHasKey($value, Errors::CLASSES, "no exception class for $name");
            $exception = Errors::create($value, 'message');
            self::assertSame($value, $exception->getStatus());
            self::assertSame($value, $exception->getCode());
            self::assertSame('ALPHAPO_STATUS_' . $name, $exception->getStatusName());
        }
    }
}
