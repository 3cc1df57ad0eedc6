<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Callback;
use AlphaPo\Exception\DuplicateForeignIdException;
use AlphaPo\Exception\ValidationException;
use AlphaPo\Signature;
use AlphaPo\Signer;
use AlphaPo\Tests\Support\Sandbox;
use AlphaPo\Tests\Support\SandboxTestCase;

/**
 * Memory stays flat: every `char*` is copied and freed, every handle and error object freed.
 * PHP's own heap (memory_get_usage) misses what the library allocates, so the resident set
 * size from /proc/self/statm is checked too: a leak of one small object per call over these
 * loops is megabytes.
 */
final class MemoryTest extends SandboxTestCase
{
    /** Allowed growth over a whole loop, after a warm-up round of the same loop. */
    private const MAX_RSS_GROWTH = 1024 * 1024;
    private const MAX_HEAP_GROWTH = 64 * 1024;

    private static ?int $pageSize = null;

    private static function rss(): int
    {
        $statm = explode(' ', (string) file_get_contents('/proc/self/statm'));
        if (self::$pageSize === null) {
            $size = (int) trim((string) shell_exec('getconf PAGESIZE 2>/dev/null'));
            self::$pageSize = $size > 0 ? $size : 4096;
        }
        return (int) $statm[1] * self::$pageSize;
    }

    /** Runs `$loop` once to warm up, then again measured; asserts memory stayed flat. */
    private static function assertFlat(string $what, callable $loop): void
    {
        $loop();
        gc_collect_cycles();
        $heap = memory_get_usage();
        $rss = self::rss();
        $started = microtime(true);
        $loop();
        gc_collect_cycles();
        $heapGrowth = memory_get_usage() - $heap;
        $rssGrowth = self::rss() - $rss;
        fwrite(STDERR, sprintf(
            "\n  memory: %-42s %6.2fs  heap %+8d B  RSS %+9d B (RSS now %.1f MiB)",
            $what,
            microtime(true) - $started,
            $heapGrowth,
            $rssGrowth,
            self::rss() / 1048576
        ));
        self::assertLessThan(self::MAX_HEAP_GROWTH, $heapGrowth, "$what: PHP heap grew by $heapGrowth bytes");
        self::assertLessThan(self::MAX_RSS_GROWTH, $rssGrowth, "$what: RSS grew by $rssGrowth bytes");
    }

    public function testSignatures(): void
    {
        $body = '{"currency":"BTC","foreign_id":"123456"}';
        $expected = Signature::sign('AbCdEfG123456', $body);
        self::assertFlat('100 000 Signature::sign', function () use ($body, $expected): void {
            for ($i = 0; $i < 100000; $i++) {
                if (Signature::sign('AbCdEfG123456', $body) !== $expected) {
                    self::fail('wrong signature');
                }
            }
        });
        $signer = new Signer('AbCdEfG123456');
        self::assertFlat('100 000 Signer::sign + Signer::verify', function () use ($signer, $body, $expected): void {
            for ($i = 0; $i < 100000; $i++) {
                if ($signer->sign($body) !== $expected || !$signer->verify($body, $expected)) {
                    self::fail('wrong signature');
                }
            }
        });
        self::assertFlat('10 000 new Signer', function (): void {
            for ($i = 0; $i < 10000; $i++) {
                new Signer('secret-' . $i);
            }
        });
    }

    public function testInvoiceCalls(): void
    {
        $client = $this->client();
        $round = 0;
        $fields = self::invoiceFields();
        self::assertFlat('10 000 createInvoice', function () use ($client, $fields, &$round): void {
            $round++;
            for ($i = 0; $i < 10000; $i++) {
                $invoice = $client->createInvoice(['foreign_id' => "mem-$round-$i"] + $fields);
                if ($invoice->amount !== '106.75000000') {
                    self::fail('wrong invoice');
                }
            }
        });
        self::assertFlat('10 000 DuplicateForeignIdException', function () use ($client, $fields): void {
            for ($i = 0; $i < 10000; $i++) {
                try {
                    $client->createInvoice(['foreign_id' => "mem-1-$i"] + $fields);
                    self::fail('duplicate accepted');
                } catch (DuplicateForeignIdException $e) {
                }
            }
        });
        self::assertFlat('10 000 ValidationException', function () use ($client): void {
            for ($i = 0; $i < 10000; $i++) {
                try {
                    $client->createInvoice(['title' => '', 'amount' => '1']);
                } catch (ValidationException $e) {
                }
            }
        });
        self::assertFlat('10 000 prepareCreateInvoice', function () use ($client, $fields): void {
            for ($i = 0; $i < 10000; $i++) {
                $client->prepareCreateInvoice($fields);
            }
        });
        self::assertFlat('1 000 clients', function (): void {
            for ($i = 0; $i < 1000; $i++) {
                $this->client();
            }
        });
    }

    public function testCallbacks(): void
    {
        $body = '{"id":588,"type":"invoice","status":"confirmed","currency_received":{"currency":"BTC","amount":"0.02000000"}}';
        $signature = Callback::sign(Sandbox::SECRET, $body);
        $signer = new Signer(Sandbox::SECRET);
        self::assertFlat('10 000 Callback::parse (+ 10 000 refused)', function () use ($body, $signature, $signer): void {
            for ($i = 0; $i < 10000; $i++) {
                if (Callback::parse($signer, $body, $signature)->dedupeKey !== 'invoice:588:confirmed:::') {
                    self::fail('wrong callback');
                }
                if (Callback::verify(Sandbox::SECRET, $body . ' ', $signature)) {
                    self::fail('forged callback accepted');
                }
            }
        });
    }
}
