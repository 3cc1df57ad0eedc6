<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Client;
use AlphaPo\Environment;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\InvalidArgumentException;
use AlphaPo\Exception\ValidationException;
use AlphaPo\Operation;
use AlphaPo\PreparedRequest;
use AlphaPo\Result;
use AlphaPo\Signature;
use AlphaPo\Tests\Support\Http;
use AlphaPo\Tests\Support\Sandbox;
use AlphaPo\Tests\Support\SandboxTestCase;

/** Every operation against the sandbox, each with an array of wire fields. */
final class ClientTest extends SandboxTestCase
{
    private const ADDRESS = 'tb1qz388lnnce4rs7a4wru5wmcmnw2h42h6t8u044j';

    public function testPing(): void
    {
        $result = $this->client()->ping();
        self::assertSame('OK', $result->data);
        self::assertSame(200, $result->httpStatus);
        self::assertSame(Operation::PING, $result->operation);
    }

    public function testListAccounts(): void
    {
        $accounts = $this->client()->listAccounts();
        self::assertGreaterThan(0, count($accounts));
        foreach ($accounts as $account) {
            self::assertIsString($account['currency']);
            self::assertIsString($account['balance']);
            self::assertMatchesRegularExpression('/^\d+\.\d+$/', $account['balance']);
        }
        self::assertSame($accounts->data[0]['currency'], $accounts->get('0.currency'));
        self::assertSame($accounts[0]->currency, $accounts->toArray()[0]['currency']);
        self::assertSame($accounts[0]->raw, $accounts->toArray()[0]);
        self::assertInstanceOf(\AlphaPo\Account::class, $accounts[0]);
    }

    public function testListCurrencies(): void
    {
        $currencies = $this->client()->listCurrencies(['visible' => true]);
        $codes = array_column($currencies->toArray(), 'currency');
        self::assertContains('BTC', $codes);
        self::assertIsString($currencies->get('0.minimum_amount'));
        self::assertSame($codes, array_column($this->client()->listCurrencies(['visible' => true])->toArray(), 'currency'));
    }

    public function testCurrencyPairsAndRates(): void
    {
        $pairs = $this->client()->currencyPairs(['currency_from' => 'BTC', 'currency_to' => 'EUR']);
        self::assertSame('BTC', $pairs->get('0.currency_from.currency'));
        self::assertIsString($pairs->get('0.rate_to'));
        $rates = $this->client()->currencyRates(['currency_from' => 'BTC', 'currency_to' => 'EUR']);
        self::assertSame('EUR', $rates->get('0.currency_to.currency'));
        self::assertMatchesRegularExpression('/^\d+(\.\d+)?$/', $rates->get('0.rate_to'));
    }

    public function testTakeAddress(): void
    {
        $address = $this->client()->takeAddress(['currency' => 'BTC', 'foreign_id' => 'customer-7', 'end_user_reference' => 'customer-7']);
        self::assertSame(201, $address->httpStatus);
        self::assertSame('BTC', $address->currency);
        self::assertSame('customer-7', $address->foreignId);
        self::assertIsInt($address->id);
        self::assertNotEmpty($address->address);
    }

    public function testWithdrawAndTransactionInfo(): void
    {
        $foreignId = self::foreignId('wd');
        $withdrawal = $this->client()->withdraw([
            'currency' => 'BTC',
            'address' => self::ADDRESS,
            'amount' => '0.01',
            'foreign_id' => $foreignId,
            'end_user_reference' => 'customer-7',
        ]);
        self::assertSame('0.01000000', $withdrawal->amount);
        self::assertSame('processing', $withdrawal->status);
        $byId = $this->client()->transactionInfo(['id' => $withdrawal->id]);
        self::assertSame($foreignId, $byId->foreignId);
        $byForeignId = $this->client()->transactionInfo(['foreign_id' => $foreignId]);
        self::assertSame($withdrawal->id, $byForeignId->id);
        self::assertSame('0.01000000', $byForeignId->get('currency_sent.amount'));
    }

    public function testExchanges(): void
    {
        $client = $this->client();
        $quote = $client->calculateExchange(['sender_currency' => 'BTC', 'receiver_currency' => 'EUR', 'sender_amount' => '0.01']);
        self::assertIsString($quote->price);
        self::assertIsString($quote->receiverAmount);
        self::assertIsInt($quote->tsFixed);
        $fixed = $client->exchangeFixed([
            'sender_currency' => 'BTC',
            'receiver_currency' => 'EUR',
            'sender_amount' => '0.01',
            'price' => $quote->price,
            'foreign_id' => self::foreignId('fx'),
        ]);
        self::assertSame($quote->price, $fixed->price);
        self::assertSame('exchange', $fixed->type);
        $now = $client->exchangeNow([
            'sender_currency' => 'BTC',
            'receiver_currency' => 'EUR',
            'sender_amount' => '0.01',
            'foreign_id' => self::foreignId('fx'),
        ]);
        self::assertSame('0.01000000', $now->senderAmount);
    }

    public function testCreateInvoice(): void
    {
        $foreignId = self::foreignId('inv');
        $invoice = $this->client()->createInvoice(self::invoiceFields(['foreign_id' => $foreignId]));
        self::assertSame('106.75000000', $invoice->amount);
        self::assertSame('created', $invoice->status);
        self::assertSame($foreignId, $invoice->foreignId);
        self::assertSame($foreignId, $invoice['foreign_id']);
        self::assertStringStartsWith('http', $invoice->url);
        self::assertNull($invoice->address);
        self::assertNull($invoice->noSuchField);
        self::assertSame([], $invoice->malformed);
        self::assertSame($invoice->data, json_decode(json_encode($invoice), true));
        self::assertStringContainsString('"foreign_id":"' . $foreignId . '"', $invoice->rawBody);
        // `attempts` is decoded on first read, in copies too.
        $copy = unserialize(serialize($invoice));
        $clone = clone $invoice;
        self::assertSame('OK', $invoice->attempts['attempts'][0]['status']);
        self::assertSame(200, $invoice->attempts['attempts'][0]['http_status']);
        self::assertSame($invoice->attempts, $copy->attempts);
        self::assertSame($invoice->attempts, $clone->attempts);
        self::assertSame($invoice->attempts, $this->debugInfo($clone)['attempts']);
    }

    /** @return array<string, mixed> */
    private function debugInfo(object $object): array
    {
        return $object->__debugInfo();
    }

    public function testCreateAndCancelInvoiceWithAnArray(): void
    {
        $fields = self::invoiceFields(['amount' => 20]); // ints are exact
        $invoice = $this->client()->createInvoice($fields);
        self::assertSame('20.00000000', $invoice->amount);
        $cancelled = $this->client()->cancelInvoice(['foreign_id' => $fields['foreign_id']]);
        self::assertSame(200, $cancelled->httpStatus);
        $state = $this->sandbox()->ok('GET', 'state');
        $mine = array_values(array_filter($state['invoices'], fn ($i) => $i['foreign_id'] === $fields['foreign_id']));
        self::assertSame('failed', $mine[0]['status']);
    }

    public function testGenericRequest(): void
    {
        $accounts = $this->client()->request('/accounts/list');
        self::assertSame(
            array_column($this->client()->listAccounts()->toArray(), 'currency'),
            array_column($accounts->toArray(), 'currency')
        );
        $invoice = $this->client()->request('/invoices/create', self::invoiceFields());
        self::assertSame('106.75000000', $invoice->get('amount'));
    }

    public function testAmountsStayStringsWhenTheApiSendsNumbers(): void
    {
        $this->sandbox()->ok('POST', 'quirks', ['quirks' => ['amounts_as_numbers']]);
        try {
            $accounts = $this->client()->listAccounts();
            self::assertStringContainsString('"balance":', $accounts->rawBody);
            self::assertDoesNotMatchRegularExpression('/"balance":"/', $accounts->rawBody, 'the quirk sends numbers');
            foreach ($accounts as $account) {
                self::assertIsString($account['balance']);
            }
            $invoice = $this->client()->createInvoice(self::invoiceFields(['amount' => '0.1', 'currency' => 'BTC']));
            self::assertSame('0.10000000', $invoice->amount);
        } finally {
            $this->sandbox()->ok('POST', 'quirks', ['quirks' => []]);
        }
    }

    public function testPrepareThenSendOrUseYourOwnHttpClient(): void
    {
        $client = $this->client();
        $fields = self::invoiceFields();
        $prepared = $client->prepareCreateInvoice($fields);
        self::assertInstanceOf(PreparedRequest::class, $prepared);
        self::assertSame('POST', $prepared->method);
        self::assertSame($this->sandbox()->baseUrl . '/invoices/create', $prepared->url);
        self::assertStringContainsString('"amount":106.75,', $prepared->body, 'the caller\'s digits, verbatim');
        self::assertSame(Sandbox::KEY, $prepared->headers['X-Processing-Key']);
        self::assertSame('application/json', $prepared->headers['Content-Type']);
        self::assertTrue(Signature::verify(Sandbox::SECRET, $prepared->body, $prepared->headers['X-Processing-Signature']));
        self::assertContains('X-Processing-Key: ' . Sandbox::KEY, $prepared->headerLines());
        try {
            $prepared->body = '{}';
            self::fail('a prepared request was modified');
        } catch (\Error $e) {
            self::assertStringContainsString('read-only', $e->getMessage());
        }

        // Our own HTTP client sends the exact bytes; the library decodes the reply.
        [$status, $body] = Http::request($prepared->method, $prepared->url, $prepared->body, $prepared->headerLines());
        $invoice = Client::decodeReply($prepared->operation, $status, $body);
        self::assertSame($fields['foreign_id'], $invoice->foreignId);

        // Sending the same prepared request again: the same bytes, so the same foreign_id.
        try {
            $client->send($prepared);
            self::fail('the second invoice with one foreign_id was accepted');
        } catch (\AlphaPo\Exception\DuplicateForeignIdException $e) {
            self::assertSame(400, $e->getHttpStatus());
        }
        $again = $client->prepareCreateInvoice(self::invoiceFields());
        self::assertSame('created', $client->send($again)->status);
    }

    public function testEveryPrepareVariant(): void
    {
        $client = $this->client();
        $prepared = [
            '/ping' => $client->preparePing(),
            '/accounts/list' => $client->prepareListAccounts(),
            '/currencies/list' => $client->prepareListCurrencies(['visible' => true]),
            '/currencies/pairs' => $client->prepareCurrencyPairs(['currency_from' => 'BTC']),
            '/currencies/rates' => $client->prepareCurrencyRates(['currency_from' => 'BTC', 'currency_to' => 'EUR']),
            '/addresses/take' => $client->prepareTakeAddress(['currency' => 'BTC', 'foreign_id' => 'c', 'end_user_reference' => 'c']),
            '/withdrawal/crypto' => $client->prepareWithdraw(['currency' => 'BTC', 'address' => self::ADDRESS, 'amount' => '0.01', 'foreign_id' => 'w', 'end_user_reference' => 'c']),
            '/exchange/calculate' => $client->prepareCalculateExchange(['sender_currency' => 'BTC', 'receiver_currency' => 'EUR', 'sender_amount' => '0.01']),
            '/exchange/fixed' => $client->prepareExchangeFixed(['sender_currency' => 'BTC', 'receiver_currency' => 'EUR', 'sender_amount' => '0.01', 'price' => '58000.1', 'foreign_id' => 'f']),
            '/exchange/now' => $client->prepareExchangeNow(['sender_currency' => 'BTC', 'receiver_currency' => 'EUR', 'sender_amount' => '0.01', 'foreign_id' => 'n']),
            '/invoices/create' => $client->prepareCreateInvoice(self::invoiceFields()),
            '/invoices/order%2F7/cancel/' => $client->prepareCancelInvoice(['foreign_id' => 'order/7']),
            '/transactions/info' => $client->prepareTransactionInfo(['txid' => 'abc']),
            '/some/new/endpoint' => $client->prepareRequest('/some/new/endpoint', ['x' => '1']),
        ];
        foreach ($prepared as $path => $request) {
            self::assertSame($this->sandbox()->baseUrl . $path, $request->url);
            if ($path === '/ping') {
                continue; // ping needs no signature
            }
            self::assertTrue(Signature::verify(Sandbox::SECRET, $request->body, $request->headers['X-Processing-Signature']), $path);
        }
        self::assertSame('GET', $prepared['/ping']->method);
        self::assertSame('GET', $prepared['/transactions/info']->method);
        self::assertSame('{"txid":"abc"}', $prepared['/transactions/info']->body);
        self::assertSame('{"x":"1"}', $prepared['/some/new/endpoint']->body);
        self::assertSame('{"visible":true}', $prepared['/currencies/list']->body);
    }

    public function testLowLevelCallTakesJson(): void
    {
        $result = $this->client()->call(Operation::CURRENCIES_PAIRS, '{"currency_from":"BTC"}');
        self::assertSame('BTC', $result->get('0.currency_from.currency'));
        $result = $this->client()->call(Operation::ACCOUNTS_LIST, []);
        self::assertGreaterThan(0, count($result));
    }

    /** @return iterable<string, array{array<string, mixed>, string}> */
    public static function floats(): iterable
    {
        yield 'amount' => [['amount' => 106.75], 'amount'];
        yield 'whole float' => [['amount' => 100.0], 'amount'];
        yield 'nested' => [['sender_data' => ['first_name' => 'A', 'score' => 0.5]], 'sender_data.score'];
    }

    /** @dataProvider floats */
    public function testAFloatIsRefusedWithAnExplanation(array $override, string $path): void
    {
        try {
            $this->client()->createInvoice(self::invoiceFields($override));
            self::fail('a float was accepted');
        } catch (\InvalidArgumentException $e) {
            self::assertInstanceOf(InvalidArgumentException::class, $e);
            self::assertStringContainsString("\"$path\" is a float", $e->getMessage());
            self::assertStringContainsString('decimal string', $e->getMessage());
        }
        $this->expectException(\InvalidArgumentException::class);
        $this->client()->withdraw(['currency' => 'BTC', 'address' => self::ADDRESS, 'amount' => 0.01, 'foreign_id' => 'w', 'end_user_reference' => 'c']);
    }

    public function testStringableDecimalsAreSentAsStrings(): void
    {
        $amount = new class () {
            public function __toString(): string
            {
                return '12.50';
            }
        };
        $prepared = $this->client()->prepareCreateInvoice(self::invoiceFields(['amount' => $amount]));
        self::assertStringContainsString('"amount":12.50,', $prepared->body, 'the digits, verbatim');
    }

    public function testArgumentMistakes(): void
    {
        $client = $this->client();
        $fields = self::invoiceFields();
        $cases = [
            'positional' => fn () => $client->createInvoice($fields, 'extra'),
            'not UTF-8' => fn () => $client->createInvoice(self::invoiceFields(['title' => "\xff"])),
            'object' => fn () => $client->createInvoice(self::invoiceFields(['title' => new \stdClass()])),
        ];
        if (PHP_VERSION_ID >= 80000) {
            // Named arguments are PHP 8 syntax (this file is PHP 7.4): refused with an explanation.
            $cases['named'] = function () use ($client) {
                return eval('return $client->createInvoice(title: "Order 1001");');
            };
        }
        foreach ($cases as $case => $call) {
            try {
                $call();
                self::fail("$case was accepted");
            } catch (InvalidArgumentException $e) {
                self::assertNotInstanceOf(ValidationException::class, $e, $case);
            }
        }
        // Unknown fields and broken rules are the library's to refuse: all at once, per field.
        try {
            $client->createInvoice(self::invoiceFields(['colour' => 'red', 'title' => '']));
            self::fail('an unknown field was accepted');
        } catch (ValidationException $e) {
            self::assertArrayHasKey('colour', $e->getFieldErrors());
        }
        try {
            $client->createInvoice(['titel' => 'typo']);
            self::fail('a misspelt field was accepted');
        } catch (ValidationException $e) {
            self::assertArrayHasKey('titel', $e->getFieldErrors());
        }
    }

    public function testResultsAreReadOnly(): void
    {
        $invoice = $this->client()->createInvoice(self::invoiceFields());
        foreach ([
            fn () => $invoice['amount'] = '1',
            function () use ($invoice): void {
                unset($invoice['amount']);
            },
            fn () => $invoice->amount = '1',
            fn () => $invoice->data = [],
        ] as $write) {
            try {
                $write();
                self::fail('a result was modified');
            } catch (\LogicException | \Error $e) {
                self::assertSame('106.75000000', $invoice->amount);
            }
        }
        self::assertInstanceOf(Result::class, $invoice);
    }

    public function testClientOptions(): void
    {
        $client = $this->client([
            'timeout' => 2.5,
            'connectTimeout' => 1,
            'maxRetries' => 0,
            'appInfo' => 'PhpTests/1.0',
        ]);
        self::assertSame('OK', $client->ping()->data);
        // A known environment builds without network access.
        foreach (['cryptoprocessing_sandbox', 'coinspaid', Environment::CRYPTOPROCESSING] as $environment) {
            $prepared = (new Client('k', 's', ['environment' => $environment]))->preparePing();
            self::assertStringStartsWith('https://app.', $prepared->url);
        }
        $prepared = (new Client('k', 's', ['environment' => 'cryptoprocessing_sandbox']))->preparePing();
        self::assertSame('https://app.sandbox.cryptoprocessing.com/api/v2/ping', $prepared->url);
        $prepared = (new Client('k', 's', ['baseUrl' => 'http://10.0.0.1:8080/api/v2', 'allowInsecureHttp' => true]))->preparePing();
        self::assertSame('http://10.0.0.1:8080/api/v2/ping', $prepared->url);

        foreach ([
            ['colour' => 'red'],
            ['environment' => 'mars'],
            ['timeout' => -1],
            ['timeout' => '5'],
            ['maxRetries' => '2'],
            ['allowInsecureHttp' => 'yes'],
        ] as $options) {
            try {
                new Client('k', 's', $options);
                self::fail('accepted ' . json_encode($options));
            } catch (InvalidArgumentException $e) {
                self::assertInstanceOf(AlphaPoException::class, $e);
            }
        }
        try {
            new Client("k\0", 's');
            self::fail('a NUL in the key was accepted');
        } catch (InvalidArgumentException $e) {
        }
    }

    public function testAClientIsOneHandle(): void
    {
        $client = $this->client();
        self::assertStringNotContainsString(Sandbox::SECRET, print_r($client, true));
        try {
            $copy = clone $client;
            self::fail('a client was cloned');
        } catch (\Error $e) {
            self::assertStringContainsString('__clone', $e->getMessage());
        }
        $this->expectException(\LogicException::class);
        serialize($client);
    }
}
