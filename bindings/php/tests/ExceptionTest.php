<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Callback;
use AlphaPo\Client;
use AlphaPo\Exception;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Internal\Errors;
use AlphaPo\Operation;
use AlphaPo\Status;
use AlphaPo\Tests\Support\Sandbox;
use AlphaPo\Tests\Support\SandboxTestCase;

/** Every exception class, each from a real failure of the library or the sandbox. */
final class ExceptionTest extends SandboxTestCase
{
    private const ADDRESS = 'tb1qz388lnnce4rs7a4wru5wmcmnw2h42h6t8u044j';

    /**
     * Runs `$call`, asserts it throws exactly `$class` with `$status`, returns the exception.
     *
     * @template T of AlphaPoException
     * @param class-string<T> $class
     * @return T
     */
    private static function failure(string $class, int $status, callable $call): AlphaPoException
    {
        try {
            $call();
        } catch (AlphaPoException $e) {
            self::assertSame($class, get_class($e), $e->getMessage());
            self::assertSame($status, $e->getStatus());
            self::assertSame($status, $e->getCode());
            self::assertSame(Status::name($status), $e->getStatusName());
            self::assertNotSame('', $e->getMessage());
            return $e;
        }
        self::fail("no $class");
    }

    private function noRetryClient(array $options = []): Client
    {
        return $this->client($options + ['maxRetries' => 0]);
    }

    protected function tearDown(): void
    {
        $this->sandbox()->ok('DELETE', 'faults');
        $this->sandbox()->ok('POST', 'rate-limit', ['per_minute' => 30]);
    }

    public function testValidationException(): void
    {
        $e = self::failure(Exception\ValidationException::class, Status::VALIDATION, fn () => $this->client()->createInvoice(
            self::invoiceFields(['title' => str_repeat('x', 51), 'url_success' => 'http://1.2.3.4/'])
        ));
        self::assertInstanceOf(\InvalidArgumentException::class, $e);
        self::assertInstanceOf(Exception\InvalidArgumentException::class, $e);
        self::assertArrayHasKey('title', $e->getFieldErrors());
        self::assertArrayHasKey('url_success', $e->getFieldErrors());
        self::assertSame(0, $e->getHttpStatus(), 'nothing was sent');
        self::assertNull($e->getRawBody());
        $state = $this->sandbox()->ok('GET', 'state');
        self::assertArrayNotHasKey('/api/v2/invoices/create', $state['requests']['by_path']);
    }

    public function testInvalidArgumentException(): void
    {
        $e = self::failure(Exception\InvalidArgumentException::class, Status::INVALID_ARGUMENT, fn () => new Client('k', 's', ['baseUrl' => 'ftp://example.com/api/v2']));
        self::assertInstanceOf(\InvalidArgumentException::class, $e);
        self::failure(Exception\InvalidArgumentException::class, Status::INVALID_ARGUMENT, fn () => new Client('k', 's', ['environment' => 77]));
        self::failure(Exception\InvalidArgumentException::class, Status::INVALID_ARGUMENT, fn () => new Client('k', 's', ['caFile' => '/nonexistent/ca.pem']));
        self::failure(Exception\InvalidArgumentException::class, Status::INVALID_ARGUMENT, fn () => $this->client()->call(Operation::ACCOUNTS_LIST, '{not json'));
        self::failure(Exception\InvalidArgumentException::class, Status::INVALID_ARGUMENT, fn () => $this->client()->call(99));
    }

    public function testAuthenticationException(): void
    {
        $e = self::failure(Exception\AuthenticationException::class, Status::AUTH, fn () => $this->sandbox()->client([], null, 'not-the-secret')->listAccounts());
        self::assertInstanceOf(Exception\ApiException::class, $e);
        self::assertSame(403, $e->getHttpStatus());
        self::assertSame('bad_header_signature', $e->getApiCode());
        self::assertSame('{"error":"Bad signature header","code":"bad_header_signature"}', $e->getRawBody());
        $e = self::failure(Exception\AuthenticationException::class, Status::AUTH, fn () => $this->sandbox()->client([], 'not-the-key')->listAccounts());
        self::assertSame('bad_header_key', $e->getApiCode());
        self::assertStringNotContainsString(Sandbox::SECRET, $e->getMessage());
    }

    public function testApiException(): void
    {
        $e = self::failure(Exception\ApiException::class, Status::API, fn () => $this->client()->currencyPairs(['currency_from' => 'XXX']));
        self::assertSame(400, $e->getHttpStatus());
        self::assertSame(['currency_from' => 'The selected currency from is invalid.'], $e->getFieldErrors());
        $fields = self::invoiceFields();
        $this->client()->createInvoice($fields);
        $this->client()->cancelInvoice(['foreign_id' => $fields['foreign_id']]);
        $e = self::failure(Exception\ApiException::class, Status::API, fn () => $this->client()->cancelInvoice(['foreign_id' => $fields['foreign_id']]));
        self::assertSame('invalid_invoice_state', $e->getApiCode());
        self::assertStringContainsString('invalid_invoice_state', (string) $e->getRawBody());
    }

    public function testDuplicateForeignIdException(): void
    {
        $fields = self::invoiceFields();
        $this->client()->createInvoice($fields);
        $e = self::failure(Exception\DuplicateForeignIdException::class, Status::DUPLICATE_FOREIGN_ID, fn () => $this->client()->createInvoice($fields));
        self::assertInstanceOf(Exception\ApiException::class, $e);
        self::assertSame(400, $e->getHttpStatus());
        self::assertArrayHasKey('foreign_id', $e->getFieldErrors());
    }

    /** @return array<string, int|string> */
    private static function withdrawal(string $foreignId): array
    {
        return self::withdrawalFields($foreignId);
    }

    /** @return array{0: int, 1: int} requests to withdrawal/crypto, withdrawals with the id */
    private function sentAndHeld(string $foreignId): array
    {
        $state = $this->sandbox()->ok('GET', 'state');
        $held = 0;
        foreach ($state['withdrawals'] as $withdrawal) {
            $held += $withdrawal['foreign_id'] === $foreignId ? 1 : 0;
        }
        return [(int) ($state['requests']['by_path']['/api/v2/withdrawal/crypto'] ?? 0), $held];
    }

    public function testALostWithdrawalReplyIsOutcomeUnknown(): void
    {
        foreach ([0, 2] as $retries) {
            $foreignId = 'php-lost-' . $retries . '-' . bin2hex(random_bytes(4));
            [$sentBefore] = $this->sentAndHeld($foreignId);
            $this->sandbox()->ok('POST', 'faults', ['mode' => 'drop_after', 'path' => '/withdrawal/crypto']);
            $client = $this->client(['maxRetries' => $retries]);
            $e = self::failure(
                Exception\OutcomeUnknownException::class,
                Status::OUTCOME_UNKNOWN,
                function () use ($client, $foreignId): void {
                    $client->withdraw(self::withdrawal($foreignId));
                }
            );
            self::assertSame(Status::TRANSPORT, $e->getCause());
            self::assertSame($foreignId, $e->getForeignId());
            self::assertStringContainsString($foreignId, $e->getMessage());
            self::assertStringContainsString('callback', $e->getMessage());
            self::assertSame([$sentBefore + 1, 1], $this->sentAndHeld($foreignId), 'sent once, applied once');
            $found = $client->reconcile((string) $e->getForeignId());
            self::assertNotNull($found);
            self::assertSame($foreignId, $found->foreignId);
            self::assertNull($client->reconcile('never-' . $foreignId));
        }
    }

    /** @group checkout */
    public function testTheWithdrawExampleReconcilesALostReply(): void
    {
        $foreignId = 'php-example-' . bin2hex(random_bytes(4));
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'drop_after', 'path' => '/withdrawal/crypto']);
        $command = sprintf(
            'ALPHAPO_BASE_URL=%s %s -d ffi.enable=1 %s %s 2>&1',
            escapeshellarg($this->sandbox()->baseUrl),
            escapeshellarg(PHP_BINARY),
            escapeshellarg(dirname(__DIR__, 3) . '/examples/php/withdraw.php'),
            escapeshellarg($foreignId)
        );
        exec($command, $output, $code);
        $output = implode("\n", $output);
        self::assertSame(0, $code, $output);
        self::assertStringContainsString('outcome unknown (ALPHAPO_STATUS_TRANSPORT)', $output);
        self::assertMatchesRegularExpression('/^withdrawal ' . $foreignId . ': \w+ \(reconciled\)$/m', $output);
        self::assertSame(1, $this->sentAndHeld($foreignId)[1]);
    }

    public function testAShortRateLimitOnAWithdrawalIsRetried(): void
    {
        $foreignId = 'php-429-' . bin2hex(random_bytes(4));
        [$sentBefore] = $this->sentAndHeld($foreignId);
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'http_429', 'path' => '/withdrawal/crypto', 'retry_after' => 1]);
        $this->client(['maxRetries' => 2])->withdraw(self::withdrawal($foreignId));
        self::assertSame([$sentBefore + 2, 1], $this->sentAndHeld($foreignId));
    }

    public function testALostReplyThenALongRateLimitIsStillOutcomeUnknown(): void
    {
        $fields = self::invoiceFields();
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'drop_after', 'path' => '/invoices/create']);
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'http_429', 'path' => '/invoices/create', 'retry_after' => 3600]);
        $client = $this->client(['maxRetries' => 2]);
        $e = self::failure(
            Exception\OutcomeUnknownException::class,
            Status::OUTCOME_UNKNOWN,
            function () use ($client, $fields): void {
                $client->createInvoice($fields);
            }
        );
        self::assertSame(Status::RATE_LIMITED, $e->getCause());
        self::assertSame(429, $e->getHttpStatus());
    }

    public function testAny2xxReplyOfACancelIsSuccess(): void
    {
        foreach (['[]', '{}', '"OK"', '{"message":"OK"}', 'OK'] as $body) {
            $result = Client::decodeReply(Operation::INVOICES_CANCEL, 200, $body);
            self::assertSame(200, $result->httpStatus, $body);
            self::assertSame($body, $result->rawBody, $body);
        }
    }

    public function testRateLimitException(): void
    {
        $this->sandbox()->ok('POST', 'rate-limit', ['per_minute' => 1]);
        $client = $this->noRetryClient();
        $quote = fn () => $client->calculateExchange(['sender_currency' => 'BTC', 'receiver_currency' => 'EUR', 'sender_amount' => '0.01']);
        $quote();
        $e = self::failure(Exception\RateLimitException::class, Status::RATE_LIMITED, $quote);
        self::assertSame(429, $e->getHttpStatus());
        self::assertStringContainsString('1015', (string) $e->getRawBody());
        self::assertNull($e->getRetryAfter(), 'the documented 429 has no Retry-After header');
    }

    public function testServerException(): void
    {
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'http_502', 'count' => 5]);
        $e = self::failure(Exception\ServerException::class, Status::SERVER, fn () => $this->noRetryClient()->listAccounts());
        self::assertSame(502, $e->getHttpStatus());
        self::assertStringContainsString('<html>', (string) $e->getRawBody());
    }

    public function testConnectionException(): void
    {
        $port = \AlphaPo\Tests\Support\Http::freePort();
        $client = new Client('k', 's', ['baseUrl' => "http://127.0.0.1:$port/api/v2", 'maxRetries' => 0]);
        $e = self::failure(Exception\ConnectionException::class, Status::TRANSPORT, fn () => $client->listAccounts());
        self::assertSame(0, $e->getHttpStatus());
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'drop_before']);
        self::failure(Exception\ConnectionException::class, Status::TRANSPORT, fn () => $this->noRetryClient()->listAccounts());
    }

    public function testTimeoutException(): void
    {
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'latency', 'ms' => 1500]);
        $started = microtime(true);
        $e = self::failure(Exception\TimeoutException::class, Status::TIMEOUT, fn () => $this->noRetryClient(['timeout' => 0.3])->listAccounts());
        self::assertInstanceOf(Exception\ConnectionException::class, $e);
        self::assertLessThan(1.4, microtime(true) - $started);
    }

    public function testTlsException(): void
    {
        $tls = new Sandbox(['--tls']);
        try {
            self::assertStringStartsWith('https://', $tls->baseUrl);
            // The sandbox's certificate is self-signed: not trusted by default.
            $e = self::failure(Exception\TlsException::class, Status::TLS, fn () => $tls->client(['maxRetries' => 0])->listAccounts());
            self::assertInstanceOf(Exception\ConnectionException::class, $e);
            // Trusted with caFile.
            self::assertGreaterThan(0, count($tls->client(['caFile' => $tls->certificate])->listAccounts()));
        } finally {
            $tls->stop();
        }
    }

    public function testDecodeException(): void
    {
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'huge', 'bytes' => 9 << 20]);
        self::failure(Exception\DecodeException::class, Status::DECODE, fn () => $this->noRetryClient()->listAccounts());
        $e = self::failure(Exception\DecodeException::class, Status::DECODE, fn () => Client::decodeReply(Operation::ACCOUNTS_LIST, 200, "<html>maintenance</html>"));
        self::assertSame(200, $e->getHttpStatus());
        self::assertSame('<html>maintenance</html>', $e->getRawBody());
    }

    public function testSignatureMismatchException(): void
    {
        $body = '{"id":1,"type":"invoice","status":"confirmed"}';
        $e = self::failure(Exception\SignatureMismatchException::class, Status::SIGNATURE_MISMATCH, fn () => Callback::parse(Sandbox::SECRET, $body, Callback::sign('other-secret', $body)));
        self::assertInstanceOf(\RuntimeException::class, $e);
        self::assertSame(0, $e->getHttpStatus());
    }

    public function testPanicExceptionMapping(): void
    {
        // A panic is a library bug: no input triggers one on purpose, so this checks the
        // mapping that Errors::fromNative applies to ALPHAPO_STATUS_PANIC.
        $e = Errors::create(Status::PANIC, 'internal error (a bug in libalphapo, please report it): x');
        self::assertSame(Exception\PanicException::class, get_class($e));
        self::assertInstanceOf(Exception\RuntimeException::class, $e);
        $unknown = Errors::create(98, 'a status this package does not know yet');
        self::assertSame(Exception\RuntimeException::class, get_class($unknown));
        self::assertSame('ALPHAPO_STATUS_UNKNOWN', $unknown->getStatusName());
    }

    public function testEveryExceptionIsCatchableAsOne(): void
    {
        foreach (Errors::CLASSES as $status => $class) {
            $e = Errors::create($status, 'm', 418, 'c', ['f' => 'x'], 'raw');
            self::assertInstanceOf(AlphaPoException::class, $e);
            self::assertSame([418, 'c', ['f' => 'x'], 'raw'], [$e->getHttpStatus(), $e->getApiCode(), $e->getFieldErrors(), $e->getRawBody()]);
            $argument = in_array($status, [Status::NULL_ARGUMENT, Status::INVALID_ARGUMENT, Status::BUFFER_TOO_SMALL, Status::VALIDATION], true);
            self::assertSame($argument, $e instanceof \InvalidArgumentException, $class);
            self::assertSame(!$argument, $e instanceof \RuntimeException, $class);
        }
    }
}
