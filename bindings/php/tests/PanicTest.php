<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Exception\PanicException;
use AlphaPo\Internal\Native;
use AlphaPo\Signature;
use AlphaPo\Status;
use PHPUnit\Framework\TestCase;

/**
 * A panic inside the core comes back as ALPHAPO_STATUS_PANIC, becomes a PanicException, and
 * the PHP process goes on working. The panic is real: alphapo_test_panic panics on purpose
 * inside the library's panic boundary (the self-test every binding uses).
 */
final class PanicTest extends TestCase
{
    private const SECRET = 'AbCdEfG123456';
    private const BODY = '{"currency":"BTC","foreign_id":"123456"}';
    private const SIGNATURE = '03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec';

    public function testAPanicInTheCoreIsAPanicExceptionAndTheProcessLivesOn(): void
    {
        $ffi = Native::ffi();
        for ($i = 0; $i < 3; $i++) {
            $error = Native::slot('alphapo_error');
            $status = (int) $ffi->alphapo_test_panic(\FFI::addr($error));
            self::assertSame(Status::PANIC, $status);
            try {
                Native::check($status, $error);
                self::fail('a PANIC status must throw');
            } catch (PanicException $e) {
                self::assertSame(Status::PANIC, $e->getStatus());
                self::assertSame('ALPHAPO_STATUS_PANIC', $e->getStatusName());
                self::assertStringContainsString('bug in libalphapo', $e->getMessage());
                self::assertStringContainsString('deliberate panic', $e->getMessage());
            }
        }
        // Without an error slot: the status alone.
        self::assertSame(Status::PANIC, (int) $ffi->alphapo_test_panic(null));
        // The process and the library still work.
        self::assertSame(self::SIGNATURE, Signature::sign(self::SECRET, self::BODY));
        self::assertTrue(Signature::verify(self::SECRET, self::BODY, self::SIGNATURE));
    }
}
