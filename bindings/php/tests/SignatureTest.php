<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Callback;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\InvalidArgumentException;
use AlphaPo\Signature;
use AlphaPo\Signer;
use PHPUnit\Framework\TestCase;

final class SignatureTest extends TestCase
{
    /** The official test vector (spec section 1.4). */
    private const SECRET = 'AbCdEfG123456';
    private const BODY = '{"currency":"BTC","foreign_id":"123456"}';
    private const SIGNATURE = '03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec';

    public function testOfficialVector(): void
    {
        self::assertSame(self::SIGNATURE, Signature::sign(self::SECRET, self::BODY));
        self::assertSame(self::SIGNATURE, (new Signer(self::SECRET))->sign(self::BODY));
        self::assertSame(self::SIGNATURE, Callback::sign(self::SECRET, self::BODY));
    }

    public function testVerifyIsCaseInsensitiveAndExact(): void
    {
        $signer = new Signer(self::SECRET);
        foreach ([self::SIGNATURE, strtoupper(self::SIGNATURE)] as $signature) {
            self::assertTrue(Signature::verify(self::SECRET, self::BODY, $signature));
            self::assertTrue($signer->verify(self::BODY, $signature));
        }
        $wrong = [
            substr(self::SIGNATURE, 0, -1) . '0',
            substr(self::SIGNATURE, 0, 64),
            str_repeat('z', 128),
            '',
            self::SIGNATURE . '00',
        ];
        foreach ($wrong as $signature) {
            self::assertFalse(Signature::verify(self::SECRET, self::BODY, $signature), $signature);
            self::assertFalse($signer->verify(self::BODY, $signature), $signature);
        }
        // One changed byte of the body, or a re-encoded body, does not verify.
        self::assertFalse(Signature::verify(self::SECRET, str_replace('123456', '123457', self::BODY), self::SIGNATURE));
        self::assertFalse(Signature::verify(self::SECRET, '{"currency": "BTC", "foreign_id": "123456"}', self::SIGNATURE));
        self::assertFalse(Signature::verify('AbCdEfG123457', self::BODY, self::SIGNATURE));
    }

    public function testBinaryBodiesAndEmptyInputs(): void
    {
        $body = "a\0b\xff\x00";
        $signature = Signature::sign("se\0cret", $body);
        self::assertSame(hash_hmac('sha512', $body, "se\0cret"), $signature);
        self::assertTrue(Signature::verify("se\0cret", $body, $signature));
        self::assertFalse(Signature::verify("se\0cret", "a\0b\xff", $signature));
        self::assertSame(hash_hmac('sha512', '', 'k'), Signature::sign('k', ''));
        self::assertSame(hash_hmac('sha512', 'x', ''), Signature::sign('', 'x'));
        self::assertSame(hash_hmac('sha512', '', ''), (new Signer(''))->sign(''));
    }

    public function testManyBodiesMatchPhpsOwnHmac(): void
    {
        $signer = new Signer(self::SECRET);
        for ($i = 0; $i < 200; $i++) {
            $body = $i === 0 ? "" : random_bytes($i * 7);
            $expected = hash_hmac('sha512', $body, self::SECRET);
            self::assertSame($expected, $signer->sign($body));
            self::assertSame($expected, Signature::sign(self::SECRET, $body));
        }
    }

    /** @return iterable<string, array{callable}> */
    public static function arrayBodyCalls(): iterable
    {
        $array = json_decode(self::BODY, true);
        yield 'Signature::sign' => [fn () => Signature::sign(self::SECRET, $array)];
        yield 'Signature::verify' => [fn () => Signature::verify(self::SECRET, $array, self::SIGNATURE)];
        yield 'Signer::sign' => [fn () => (new Signer(self::SECRET))->sign($array)];
        yield 'Signer::verify' => [fn () => (new Signer(self::SECRET))->verify($array, self::SIGNATURE)];
        yield 'Callback::verify' => [fn () => Callback::verify(self::SECRET, $array, self::SIGNATURE)];
        yield 'Callback::parse' => [fn () => Callback::parse(self::SECRET, $array, self::SIGNATURE)];
        yield 'object' => [fn () => Signature::verify(self::SECRET, (object) $array, self::SIGNATURE)];
        yield 'int' => [fn () => Signature::sign(self::SECRET, 42)];
    }

    /** @dataProvider arrayBodyCalls */
    public function testAnArrayBodyIsRefused(callable $call): void
    {
        try {
            $call();
            self::fail('an array body was accepted');
        } catch (InvalidArgumentException $e) {
            self::assertInstanceOf(\InvalidArgumentException::class, $e);
            self::assertInstanceOf(AlphaPoException::class, $e);
            self::assertStringContainsString('string', $e->getMessage());
        }
    }

    public function testSignerHidesItsSecretAndCannotBeCopied(): void
    {
        $signer = new Signer('very-secret-value');
        self::assertStringNotContainsString('very-secret-value', print_r($signer, true));
        self::assertStringNotContainsString('very-secret-value', var_export((array) $signer, true));
        try {
            $copy = clone $signer;
            self::fail('a signer was cloned');
        } catch (\Error $e) {
            self::assertStringContainsString('__clone', $e->getMessage());
        }
        $this->expectException(\LogicException::class);
        serialize($signer);
    }
}
