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
        // The process and the library still work: a signature is still PHP's own HMAC-SHA512.
        $body = '{"currency":"BTC","foreign_id":"123456"}';
        $signature = hash_hmac('sha512', $body, 'AbCdEfG123456');
        self::assertSame($signature, Signature::sign('AbCdEfG123456', $body));
        self::assertTrue(Signature::verify('AbCdEfG123456', $body, $signature));
    }
}
