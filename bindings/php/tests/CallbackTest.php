<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Callback;
use AlphaPo\Exception\DecodeException;
use AlphaPo\Exception\SignatureMismatchException;
use AlphaPo\Signer;
use AlphaPo\Tests\Support\Http;
use AlphaPo\Tests\Support\CallbackLog;
use AlphaPo\Tests\Support\PhpServer;
use AlphaPo\Tests\Support\Sandbox;
use AlphaPo\Tests\Support\SandboxTestCase;

final class CallbackTest extends SandboxTestCase
{
    /** The invoice callback of spec section 8.6, with one amount sent as a JSON number. */
    private const BODY = '{"id": 588, "foreign_id": "8FW1KI7LesB9yxWcK1K", "end_user_reference": "12345", "type": "invoice",'
        . ' "crypto_address": {"id": 386897, "currency": "BTC", "address": "2Mvo", "tag": null},'
        . ' "currency_sent": {"currency": "BTC", "amount": "0.02000000", "remaining_amount": "0.00000000"},'
        . ' "currency_received": {"currency": "BTC", "amount": 0.02},'
        . ' "transactions": [{"id": 750294, "currency": "BTC", "transaction_type": "blockchain", "type": "deposit",'
        . ' "address": "2Mvo", "tag": null, "amount": "0.01000000", "txid": "528d", "confirmations": "1"}],'
        . ' "fees": [{"type": "fee_crypto_deposit", "currency": "BTC", "amount": "0.0008"}],'
        . ' "error": "", "status": "confirmed", "fixed_at": 1592307241, "expires_at": 1592394104, "future_field": {"a": 1}}';

    protected static function sandboxArguments(): array
    {
        return ['--callback-time-scale', '0.0005'];
    }

    public function testParseAVerifiedCallback(): void
    {
        $signature = Callback::sign(Sandbox::SECRET, self::BODY);
        self::assertTrue(Callback::verify(Sandbox::SECRET, self::BODY, $signature));
        $callback = Callback::parse(Sandbox::SECRET, self::BODY, strtoupper($signature));
        self::assertSame(588, $callback->id);
        self::assertSame('invoice', $callback->type);
        self::assertSame('confirmed', $callback->status);
        self::assertSame('invoice:588:confirmed:750294:0.00000000:', $callback->dedupeKey);
        self::assertTrue($callback->fullyPaid, 'confirmed and nothing remaining');
        self::assertSame('8FW1KI7LesB9yxWcK1K', $callback->foreignId);
        self::assertNull($callback->paymentRequestId);
        self::assertSame('0.02', $callback->get('currency_received.amount'), 'a number amount arrives as a string');
        self::assertSame('0.00000000', $callback->get('currency_sent.remaining_amount'));
        self::assertSame('528d', $callback->get('transactions.0.txid'));
        self::assertSame(1, $callback->get('future_field.a'), 'unknown fields are kept');
        self::assertNull($callback->get('no.such.path'));
        self::assertSame(self::BODY, $callback->rawBody);
        self::assertSame([], $callback->malformed);
        $this->expectException(\Error::class);
        $callback->status = 'failed'; // read-only
    }

    public function testForgedOrAlteredCallbacksAreRefused(): void
    {
        $signature = Callback::sign(Sandbox::SECRET, self::BODY);
        $altered = str_replace('"status": "confirmed"', '"status":"confirmed"', self::BODY);
        foreach ([
            [$altered, $signature],
            [self::BODY, Callback::sign('other', self::BODY)],
            [self::BODY, ''],
            [self::BODY, null],
            [self::BODY, 'not hex'],
        ] as [$body, $sig]) {
            self::assertFalse(Callback::verify(Sandbox::SECRET, $body, $sig));
            try {
                Callback::parse(Sandbox::SECRET, $body, $sig);
                self::fail('a forged callback was parsed');
            } catch (SignatureMismatchException $e) {
                self::assertSame(0, $e->getHttpStatus());
            }
        }
    }

    public function testTheKeyHeaderIsCheckedWhenExpected(): void
    {
        $signature = Callback::sign(Sandbox::SECRET, self::BODY);
        self::assertTrue(Callback::verify(Sandbox::SECRET, self::BODY, $signature, Sandbox::KEY, Sandbox::KEY));
        self::assertTrue(Callback::verify(Sandbox::SECRET, self::BODY, $signature, null, null));
        self::assertFalse(Callback::verify(Sandbox::SECRET, self::BODY, $signature, 'other-key', Sandbox::KEY));
        // An absent key header is not checked: the current docs name only the signature header.
        self::assertTrue(Callback::verify(Sandbox::SECRET, self::BODY, $signature, null, Sandbox::KEY));
        $signer = new Signer(Sandbox::SECRET);
        self::assertSame(
            'invoice:588:confirmed:750294:0.00000000:',
            Callback::parse($signer, self::BODY, $signature, Sandbox::KEY, Sandbox::KEY)->dedupeKey
        );
    }

    public function testEachInstalmentOfAPartialPayInvoiceIsItsOwnEvent(): void
    {
        $first = str_replace(
            ['"remaining_amount": "0.00000000"', '"confirmations": "1"'],
            ['"remaining_amount": "0.01000000"', '"confirmations": "0"'],
            self::BODY
        );
        $last = str_replace(
            '"confirmations": "1"}]',
            '"confirmations": "1"}, {"id": 750301, "amount": "0.01000000", "txid": "9a1c"}]',
            self::BODY
        );
        $a = Callback::parse(Sandbox::SECRET, $first, Callback::sign(Sandbox::SECRET, $first));
        $b = Callback::parse(Sandbox::SECRET, $last, Callback::sign(Sandbox::SECRET, $last));
        self::assertSame([588, 588], [$a->id, $b->id]);
        self::assertNotSame($a->dedupeKey, $b->dedupeKey);
        self::assertFalse($a->fullyPaid, 'confirmed, but 0.01 still due');
        self::assertTrue($b->fullyPaid);
        $again = Callback::parse(Sandbox::SECRET, $first, Callback::sign(Sandbox::SECRET, $first));
        self::assertSame($a->dedupeKey, $again->dedupeKey, 'a redelivery is the same event');
    }

    public function testPaymentRequestCallbacksAreToldApart(): void
    {
        $keys = [];
        foreach (['019e2a10-5b3c-7f00-9a11-2c4d5e6f7a8b', '019e2a10-5b3c-7f00-9a11-2c4d5e6f7a8c'] as $id) {
            $body = '{"payment_request_id": "' . $id . '", "foreign_id": "order-1", "type": "payment_request",'
                . ' "status": "paid", "currency_sent": {"currency": {"iso": "LTC"}, "received_amount": "2.91"}}';
            $callback = Callback::parse(Sandbox::SECRET, $body, Callback::sign(Sandbox::SECRET, $body));
            self::assertSame($id, $callback->paymentRequestId);
            self::assertNull($callback->id);
            self::assertTrue($callback->fullyPaid);
            self::assertSame('LTC', $callback->get('currency_sent.currency.iso'));
            $keys[] = $callback->dedupeKey;
        }
        self::assertNotSame($keys[0], $keys[1]);
    }

    public function testAnAuthenticBodyThatIsNotAnObject(): void
    {
        $this->expectException(DecodeException::class);
        Callback::parse(Sandbox::SECRET, '[1,2]', Callback::sign(Sandbox::SECRET, '[1,2]'));
    }

    /** @return mixed the condition's first truthy value */
    private static function waitFor(callable $condition, string $what, float $timeout = 15.0)
    {
        $deadline = microtime(true) + $timeout;
        do {
            $value = $condition();
            if ($value) {
                return $value;
            }
            usleep(50000);
        } while (microtime(true) < $deadline);
        self::fail("timed out waiting for $what");
    }


    /** @return list<array<string, mixed>> the sandbox's delivery attempts for a transaction */
    private function attempts(int $transaction): array
    {
        $log = $this->sandbox()->ok('GET', 'callbacks');
        return array_values(array_filter($log['attempts'], fn ($a) => $a['transaction_id'] === $transaction));
    }

    /**
     * The whole job: the README's example creates an invoice, the example endpoint verifies its callbacks.
     *
     * @group checkout
     */
    public function testTheExamplesCreateAnInvoiceAndVerifyItsCallbacks(): void
    {
        $repository = dirname(__DIR__, 3);
        $log = sys_get_temp_dir() . '/alphapo-callbacks-' . bin2hex(random_bytes(4)) . '.jsonl';
        $server = PhpServer::callbackExample($log);
        try {
            $this->sandbox()->ok('POST', 'callback-url', ['url' => $server->url . '/callback']);

            // examples/php/create_invoice.php, exactly as the README runs it.
            $command = sprintf(
                'ALPHAPO_BASE_URL=%s %s %s 2>&1',
                escapeshellarg($this->sandbox()->baseUrl),
                escapeshellarg(PHP_BINARY),
                escapeshellarg($repository . '/examples/php/create_invoice.php')
            );
            exec($command, $output, $code);
            $output = implode("\n", $output);
            self::assertSame(0, $code, $output);
            self::assertMatchesRegularExpression('/^invoice \d+ created: 106\.75000000 EUR$/m', $output);
            self::assertMatchesRegularExpression('#^pay at: http://127\.0\.0\.1:\d+/invoice/\w+$#m', $output);
            self::assertSame(1, preg_match('/^foreign_id: (\S+)$/m', $output, $m), $output);
            $foreignId = $m[1];

            // The customer pays; the sandbox sends signed callbacks to the example endpoint.
            $paid = $this->sandbox()->ok('POST', "invoices/$foreignId/pay", ['amount' => '106.75']);
            self::assertSame('confirmed', $paid['status']);
            $confirmed = self::waitFor(function () use ($log, $foreignId) {
                foreach (CallbackLog::read($log) as $record) {
                    if ($record['foreign_id'] === $foreignId && $record['status'] === 'confirmed') {
                        return $record;
                    }
                }
                return null;
            }, 'the confirmed callback in the endpoint\'s log; server log: ' . $server->log());
            self::assertTrue($confirmed['verified']);
            self::assertTrue($confirmed['paid']);
            self::assertSame('invoice', $confirmed['type']);
            self::assertIsString($confirmed['amount']);
            $transaction = $confirmed['id'];
            $attempts = self::waitFor(fn () => count($this->attempts($transaction)) >= count(array_filter(CallbackLog::read($log), fn ($r) => $r['id'] === $transaction)) ? $this->attempts($transaction) : null, 'the delivery log');
            foreach ($attempts as $attempt) {
                self::assertSame(200, $attempt['response_status'], json_encode($attempt));
                // What the endpoint received verifies here too, byte for byte.
                self::assertSame($transaction, Callback::parse(Sandbox::SECRET, $attempt['body'], Callback::sign(Sandbox::SECRET, $attempt['body']))->id);
            }

            // "Repeat callback": a second delivery is answered 200 but processed once.
            $before = count(CallbackLog::read($log));
            $this->sandbox()->ok('POST', 'callbacks/repeat', ['foreign_id' => $foreignId]);
            self::waitFor(fn () => count($this->attempts($transaction)) > count($attempts), 'the repeated delivery');
            $last = array_slice($this->attempts($transaction), -1)[0];
            self::assertSame(200, $last['response_status']);
            self::assertCount($before, CallbackLog::read($log), 'a repeated callback is processed once');

            // A forged callback is refused with a non-200 status and not processed.
            $forged = str_replace('"confirmed"', '"pending"', $last['body']);
            [$status] = Http::request('POST', $server->url . '/callback', $forged, [
                'Content-Type: application/json',
                'X-Processing-Key: ' . Sandbox::KEY,
                'X-Processing-Signature: ' . Callback::sign('guessed-secret', $forged),
            ]);
            self::assertSame(401, $status);
            [$status] = Http::request('POST', $server->url . '/callback', $last['body'], [
                'Content-Type: application/json',
                'X-Processing-Key: someone-else',
                'X-Processing-Signature: ' . Callback::sign(Sandbox::SECRET, $last['body']),
            ]);
            self::assertSame(401, $status, 'the key header must be ours');
            [$status] = Http::request('GET', $server->url . '/callback');
            self::assertSame(405, $status);
            self::assertCount($before, CallbackLog::read($log));
        } finally {
            $this->sandbox()->ok('POST', 'callback-url', ['url' => null]);
            $server->stop();
            @unlink($log);
        }
    }

    public function testAFailedProcessingIsNot200SoTheServiceRetries(): void
    {
        $repository = dirname(__DIR__, 3);
        $server = new PhpServer($repository . '/examples/php/callback.php', ['ffi.enable' => '1'], [
            'ALPHAPO_SECRET' => Sandbox::SECRET,
            'ALPHAPO_CALLBACK_LOG' => '/nonexistent-directory/callbacks.jsonl',
        ]);
        try {
            $this->sandbox()->ok('POST', 'callback-url', ['url' => $server->url . '/callback']);
            $fields = self::invoiceFields();
            $invoice = $this->client()->createInvoice($fields);
            $this->sandbox()->ok('POST', "invoices/{$fields['foreign_id']}/pay", ['amount' => '106.75']);
            $attempts = self::waitFor(function () use ($invoice) {
                $attempts = array_filter($this->attempts($invoice->id), fn ($a) => $a['attempt'] >= 2);
                return $attempts === [] ? null : $attempts;
            }, 'a second delivery attempt');
            foreach ($attempts as $attempt) {
                self::assertSame(500, $attempt['response_status']);
            }
        } finally {
            $this->sandbox()->ok('POST', 'callback-url', ['url' => null]);
            $server->stop();
        }
    }
}
