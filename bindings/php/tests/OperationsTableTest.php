<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Callback;
use AlphaPo\Client;
use AlphaPo\Exception\ValidationException;
use AlphaPo\Internal\Native;
use AlphaPo\Internal\Operations;
use AlphaPo\Item;
use AlphaPo\Operation;
use AlphaPo\PreparedRequest;
use AlphaPo\Result;
use AlphaPo\ResultList;
use PHPUnit\Framework\TestCase;

/**
 * The package derives its operations and result classes from the library: these tests fail
 * when the library's operations table or its typed results and the package drift apart.
 */
final class OperationsTableTest extends TestCase
{
    /** A reply of each typed result (the `result` of the operations table). */
    private const SAMPLES = [
        'invoice' => '{"data":{"id":1,"name":"t","amount":"1.5","sender_amount":"0.1.2","future":1}}',
        'address' => '{"data":{"id":1,"tag":5}}',
        'withdrawal' => '{"data":{"id":1,"amount":"2"}}',
        'exchange' => '{"data":{"id":1,"price":"3"}}',
        'transaction' => '{"id":1,"currency_sent":{"currency":"BTC","amount":"1"}}',
        'accounts' => '{"data":[{"currency":"BTC","type":"crypto","balance":"1"},{"currency":"EUR","balance":2.5}]}',
        'currencies' => '{"data":[{"id":1,"currency":"BTC","minimum_amount":"0.1"}]}',
        'pairs' => '{"data":[{"currency_from":{"currency":"BTC","min_amount":"0.01"},"currency_to":{"currency":"EUR"}}]}',
        'payment_request' => '{"data":{"id":"0196f6a1-0000-7000-8000-000000000001","amount":"5","currency":{"iso":"EUR"},"status":"created","life_time":1790000000,"payment_link":"https://pay.example/x"}}',
    ];

    public function testOperationConstantsAreTheTableRows(): void
    {
        $constants = (new \ReflectionClass(Operation::class))->getConstants();
        $table = [];
        foreach (Operations::all() as $code => $row) {
            $table[strtoupper(str_replace('/', '_', $row['name']))] = $code;
        }
        self::assertCount(15, $table);
        self::assertSame($table, $constants);
    }

    public function testEveryRowHasAMethodReturningItsResultClass(): void
    {
        foreach (Operations::all() as $code => $row) {
            $method = new \ReflectionMethod(Client::class, $row['method']);
            $type = $method->getReturnType();
            self::assertInstanceOf(\ReflectionNamedType::class, $type, $row['method']);
            self::assertSame(Result::classOf($row['result'])[0], $type->getName(), $row['method']);
            self::assertSame($code, Operations::byMethod($row['method']));
        }
        // The table's results all have a class.
        self::assertSame(
            ['accounts', 'address', 'currencies', 'exchange', 'invoice', 'json', 'pairs', 'payment_request', 'text', 'transaction', 'withdrawal'],
            self::sorted(array_unique(array_column(Operations::all(), 'result')))
        );
    }

    public function testPrepareTwinsAreDerivedFromTheTable(): void
    {
        $client = new Client('k', 's', ['baseUrl' => 'http://127.0.0.1:9/api/v2']);
        $reached = 0;
        foreach (Operations::all() as $code => $row) {
            if ($code === Operation::GENERIC) {
                self::assertSame('/api/v2/x', parse_url($client->prepareRequest('/x')->url, PHP_URL_PATH));
                continue;
            }
            $twin = 'prepare' . ucfirst($row['method']);
            self::assertFalse(method_exists($client, $twin), "$twin is written by hand");
            try {
                $prepared = $client->$twin([]);
            } catch (ValidationException $e) {
                // The library's rules of this very operation refused the empty fields.
                self::assertNotEmpty($e->getFieldErrors(), $twin);
                continue;
            }
            self::assertInstanceOf(PreparedRequest::class, $prepared);
            self::assertSame($code, $prepared->operation, $twin);
            self::assertSame($row['http_method'], $prepared->method, $twin);
            self::assertStringEndsWith('/api/v2' . $row['path'], $prepared->url, $twin);
            $reached++;
        }
        self::assertGreaterThanOrEqual(4, $reached, 'ping, accounts, currencies and pairs need no field');
        $prepared = $client->prepareCancelInvoice(['foreign_id' => 'order-1']);
        self::assertSame(Operation::INVOICES_CANCEL, $prepared->operation);
        self::assertStringEndsWith('/invoices/order-1/cancel/', $prepared->url);
        try {
            $client->prepareNoSuchThing();
            self::fail('an unknown prepare method was accepted');
        } catch (\Error $e) {
            self::assertStringContainsString('undefined method', $e->getMessage());
        }
    }

    public function testResultClassesDeclareTheLibraryResultFields(): void
    {
        foreach (self::SAMPLES as $result => $body) {
            $code = self::codeOf($result);
            $value = Client::decodeReply($code, 200, $body);
            [$class, $itemClass] = Result::classOf($result);
            self::assertInstanceOf($class, $value, $result);
            $item = $value instanceof ResultList ? $value[0] : $value;
            self::assertInstanceOf($itemClass ?? $class, $item, $result);
            $core = self::coreResult($code, $body);
            $core = $value instanceof ResultList ? $core[0] : $core;
            unset($core['malformed_fields']);
            $fields = Item::typedFields(get_class($item));
            self::assertSame(self::sorted(array_keys($core)), self::sorted(array_values($fields)), $result);
            foreach ($fields as $property => $wire) {
                self::assertSame($core[$wire], $item->$property, "$result.$property");
                $type = (new \ReflectionProperty($item, $property))->getType();
                self::assertInstanceOf(\ReflectionNamedType::class, $type, "$result.$property is typed");
                self::assertTrue($type->allowsNull(), "$result.$property");
                self::assertContains($type->getName(), ['int', 'string'], "$result.$property: never a float");
            }
        }
    }

    public function testCallbackDeclaresTheLibraryCallbackFields(): void
    {
        $body = '{"id":1,"type":"invoice","status":"confirmed","currency_sent":{"amount":"1"},"error":""}';
        $callback = Callback::parse('s', $body, Callback::sign('s', $body));
        $ffi = Native::ffi();
        $signer = new \AlphaPo\Signer('s');
        $out = Native::slot('alphapo_callback');
        $signature = Callback::sign('s', $body);
        Native::check((int) $ffi->alphapo_callback_parse($signer->handle(), Native::bytes($body), strlen($body), $signature, strlen($signature), null, null, \FFI::addr($out), null));
        try {
            $core = json_decode((string) Native::ownedString($ffi->alphapo_callback_json($out)), true)['result'];
        } finally {
            $ffi->alphapo_callback_free($out);
        }
        unset($core['malformed_fields']);
        $fields = Item::typedFields(Callback::class);
        self::assertSame(self::sorted(array_keys($core)), self::sorted(array_values($fields)));
        foreach ($fields as $property => $wire) {
            self::assertSame($core[$wire], $callback->$property, $property);
        }
        self::assertTrue($callback->fullyPaid);
        self::assertStringStartsWith('invoice:1:confirmed', $callback->dedupeKey);
        self::assertNull($callback->error, 'the library turns an empty error into null');
    }

    public function testTypedValuesComeFromTheLibraryAndRawStaysReachable(): void
    {
        $invoice = Client::decodeReply(Operation::INVOICES_CREATE, 200, self::SAMPLES['invoice']);
        self::assertSame('t', $invoice->title, 'the library falls back to "name"');
        self::assertSame('1.5', $invoice->amount);
        self::assertSame('0.1.2', $invoice->senderAmount, 'a malformed amount is kept as received');
        self::assertSame($invoice->senderAmount, $invoice->sender_amount);
        self::assertContains('sender_amount', $invoice->malformed);
        self::assertSame(1, $invoice->raw['future'], 'unknown fields stay in raw');
        self::assertSame($invoice->raw, $invoice->data);
        self::assertSame(self::SAMPLES['invoice'], $invoice->rawBody);
        $accounts = Client::decodeReply(Operation::ACCOUNTS_LIST, 200, self::SAMPLES['accounts']);
        self::assertCount(2, $accounts);
        self::assertSame('2.5', $accounts[1]->balance, 'a number amount arrives as its text');
        self::assertSame(['currency' => 'EUR', 'balance' => '2.5'], $accounts[1]->raw);
        self::assertSame(['BTC', 'EUR'], array_map(function ($a) {
            return $a->currency;
        }, iterator_to_array($accounts)));
        $copy = unserialize(serialize($invoice));
        self::assertSame([$invoice->title, $invoice->raw], [$copy->title, $copy->raw]);
    }

    public function testPropertiesAreTakenFromTheTypedResultWhenFirstRead(): void
    {
        // An id beyond PHP_INT_MAX cannot be an int property: it stays null, raw keeps it.
        $body = '{"data":{"id":99999999999999999999,"url":"https://pay.example/i/1","amount":"2.50","fixed_at":7}}';
        $invoice = Client::decodeReply(Operation::INVOICES_CREATE, 200, $body);
        self::assertNull($invoice->id);
        self::assertSame('99999999999999999999', $invoice->raw['id']);
        self::assertSame(['https://pay.example/i/1', '2.50', 7], [$invoice->url, $invoice->amount, $invoice->fixedAt]);
        self::assertSame($invoice->url, $invoice->url, 'the same value on every read');
        // Shown, serialized and cloned with every property, read or not.
        $fresh = Client::decodeReply(Operation::INVOICES_CREATE, 200, $body);
        $shown = print_r($fresh, true);
        self::assertStringContainsString('[url] => https://pay.example/i/1', $shown);
        self::assertStringContainsString('[fixedAt] => 7', $shown);
        $copy = unserialize(serialize(Client::decodeReply(Operation::INVOICES_CREATE, 200, $body)));
        self::assertSame(['https://pay.example/i/1', '2.50', 7, null], [$copy->url, $copy->amount, $copy->fixedAt, $copy->id]);
        $clone = clone Client::decodeReply(Operation::INVOICES_CREATE, 200, $body);
        self::assertSame('2.50', $clone->amount);
    }

    public function testTheSummaryIsReadWhateverTheReplyHolds(): void
    {
        // A reply whose data has an "attempts" object of its own: only the summary's own
        // attempts are cut off for later.
        $nested = '{"data":{"n":1,"attempts":{"total_us":7,"attempts":["x"]}}}';
        $reply = Client::decodeReply(Operation::GENERIC, 200, $nested);
        self::assertSame(['n' => 1, 'attempts' => ['total_us' => 7, 'attempts' => ['x']]], $reply->data);
        self::assertSame(['total_us' => 0, 'attempts' => []], $reply->attempts, 'a decoded reply made no attempt');
        $summary = new \ReflectionMethod(Result::class, 'summary');
        $summary->setAccessible(true);
        $usual = '{"http_status":201,"malformed":["a"],"result":{"y":1},"attempts":{"total_us":3,"attempts":[]}}';
        $read = $summary->invoke(null, $usual);
        self::assertSame([201, ['a'], ['y' => 1]], [$read['http_status'], $read['malformed'], $read['result']]);
        self::assertSame(['total_us' => 3, 'attempts' => []], json_decode($read['attempts'], true)['attempts']);
        // Other layouts are decoded whole.
        $layouts = [
            '{"attempts":{"total_us":3,"attempts":[]},"http_status":201,"malformed":["a"],"result":{"y":1,"attempts":{"total_us":9}}}',
            '{"http_status":201,"result":{"y":1},"attempts":{"total_us":3,"attempts":[]},"malformed":["a"]}',
        ];
        foreach ($layouts as $layout) {
            $read = $summary->invoke(null, $layout);
            self::assertSame(json_decode($layout, true), $read, $layout);
        }
    }

    private static function codeOf(string $result): int
    {
        foreach (Operations::all() as $code => $row) {
            if ($row['result'] === $result) {
                return $code;
            }
        }
        self::fail("no operation returns $result");
    }

    /** @return mixed the library's own typed result of a reply */
    private static function coreResult(int $code, string $body)
    {
        $ffi = Native::ffi();
        $out = Native::slot('alphapo_response');
        Native::check((int) $ffi->alphapo_decode_reply($code, 200, Native::bytes($body), strlen($body), \FFI::addr($out), null));
        try {
            return json_decode((string) Native::ownedString($ffi->alphapo_response_json($out)), true)['result'];
        } finally {
            $ffi->alphapo_response_free($out);
        }
    }

    /** @param array<int|string, string> $values */
    private static function sorted(array $values): array
    {
        $values = array_values($values);
        sort($values);
        return $values;
    }
}
