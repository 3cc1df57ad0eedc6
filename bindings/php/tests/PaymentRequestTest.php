<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Client;
use AlphaPo\Exception\OutcomeUnknownException;
use AlphaPo\Exception\ValidationException;
use AlphaPo\PaymentRequest;
use AlphaPo\Tests\Support\CallbackLog;
use AlphaPo\Tests\Support\PhpServer;
use AlphaPo\Tests\Support\SandboxTestCase;

/**
 * Payment requests (POST /api/payments/v1/requests) against the sandbox: created, refused
 * before sending, their paid/failed/expired callbacks verified by the example endpoint, and
 * a lost reply never repeated.
 */
final class PaymentRequestTest extends SandboxTestCase
{
    /** @return array<string, mixed> */
    private static function fields(string $foreignId, array $override = []): array
    {
        return $override + [
            'amount' => '100.00',
            'currency' => ['iso' => 'EUR'],
            'life_time_duration' => 3600,
            'foreign_id' => $foreignId,
            'url_store' => 'https://shop.example.com/cart',
        ];
    }

    public function testACreatedRequestHasAUuidAndAPaymentLink(): void
    {
        $foreignId = self::foreignId('pr');
        $request = $this->client()->createPaymentRequest(self::fields($foreignId));
        self::assertInstanceOf(PaymentRequest::class, $request);
        self::assertMatchesRegularExpression('/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/', $request->id);
        self::assertStringStartsWith('http', (string) $request->paymentLink);
        self::assertSame('created', $request->status);
        self::assertSame('100.00', $request->amount);
        self::assertSame('EUR', $request->currency);
        self::assertSame($foreignId, $request->foreignId);
        self::assertIsInt($request->lifeTime);
        self::assertCount(1, $request->attempts['attempts']);
        self::assertSame('OK', $request->attempts['attempts'][0]['status']);
    }

    public function testBadInputIsRefusedBeforeAnythingIsSent(): void
    {
        $before = $this->sandbox()->ok('GET', 'state')['requests']['total'];
        try {
            $this->client()->createPaymentRequest(self::fields(self::foreignId('pr'), ['amount' => 100.5]));
            self::fail('a float amount was accepted');
        } catch (\AlphaPo\Exception\AlphaPoException $e) {
            self::assertStringContainsString('float', $e->getMessage());
        }
        try {
            $this->client()->createPaymentRequest(['amount' => '1', 'currency' => ['iso' => 'EUR']]);
            self::fail('a request without a lifetime was accepted');
        } catch (ValidationException $e) {
            self::assertArrayHasKey('life_time_duration', $e->getFieldErrors());
            self::assertNull($e->getAttempts(), 'nothing was sent');
        }
        self::assertSame($before, $this->sandbox()->ok('GET', 'state')['requests']['total']);
    }

    public function testALostReplyIsOutcomeUnknownAndTheSandboxHoldsOneRequest(): void
    {
        $foreignId = self::foreignId('pr-lost');
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'drop_after', 'path' => '/api/payments/v1/requests']);
        try {
            $this->client(['maxRetries' => 2])->createPaymentRequest(self::fields($foreignId));
            self::fail('a lost reply was not OUTCOME_UNKNOWN');
        } catch (OutcomeUnknownException $e) {
            self::assertSame($foreignId, $e->getForeignId());
            self::assertCount(1, $e->getAttempts()['attempts'], 'never re-sent');
            self::assertTrue($e->getAttempts()['attempts'][0]['may_have_reached']);
        } finally {
            $this->sandbox()->ok('DELETE', 'faults');
        }
        $held = array_filter(
            $this->sandbox()->ok('GET', 'state')['payment_requests'],
            fn ($p) => $p['foreign_id'] === $foreignId
        );
        self::assertCount(1, $held);
    }

    /** @group checkout */
    public function testPaidFailedAndExpiredCallbacksAreVerifiedByTheExampleEndpoint(): void
    {
        $log = sys_get_temp_dir() . '/alphapo-pr-callbacks-' . bin2hex(random_bytes(4)) . '.jsonl';
        $server = PhpServer::callbackExample($log);
        try {
            $this->sandbox()->ok('POST', 'callback-url', ['url' => $server->url . '/callback']);
            $client = $this->client();
            $ids = [];
            foreach (['paid', 'short', 'idle'] as $kind) {
                $ids[$kind] = self::foreignId("pr-$kind");
                $client->createPaymentRequest(self::fields($ids[$kind]));
            }
            $this->sandbox()->ok('POST', "payment-requests/{$ids['paid']}/pay", []);
            $this->sandbox()->ok('POST', "payment-requests/{$ids['short']}/pay", ['amount' => '0.0001']);
            $this->sandbox()->ok('POST', "payment-requests/{$ids['short']}/expire", []);
            $this->sandbox()->ok('POST', "payment-requests/{$ids['idle']}/expire", []);
            $final = ['paid' => 'paid', 'short' => 'failed', 'idle' => 'expired'];
            $deadline = microtime(true) + 15;
            do {
                $records = CallbackLog::read($log);
                $done = 0;
                foreach ($final as $kind => $status) {
                    foreach ($records as $r) {
                        if ($r['foreign_id'] === $ids[$kind] && $r['status'] === $status) {
                            $done++;
                            break;
                        }
                    }
                }
                usleep(50000);
            } while ($done < 3 && microtime(true) < $deadline);
            self::assertSame(3, $done, 'final callbacks; server log: ' . $server->log());
            $keys = [];
            foreach ($records as $r) {
                self::assertSame('payment_request', $r['type']);
                self::assertTrue($r['verified']);
                self::assertSame($r['foreign_id'] === $ids['paid'] && $r['status'] === 'paid', $r['paid'], json_encode($r));
                $keys[] = $r['dedupe_key'];
            }
            self::assertSame(count($keys), count(array_unique($keys)), 'no two callbacks share a key');
        } finally {
            $this->sandbox()->ok('POST', 'callback-url', ['url' => null]);
            $server->stop();
            @unlink($log);
        }
    }

}
