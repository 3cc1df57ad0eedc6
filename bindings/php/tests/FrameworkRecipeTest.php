<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Callback;
use AlphaPo\Tests\Support\CallbackLog;
use AlphaPo\Tests\Support\Http;
use AlphaPo\Tests\Support\PhpServer;
use AlphaPo\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The Symfony HttpFoundation recipe (examples/php/frameworks) served by `php -S`, verifying
 * the real signed callbacks of a sandbox started with --callback-url pointing at it; a
 * tampered callback gets a 401 and is not processed. The README shows the file verbatim.
 *
 * The recipes live in the checkout (examples/php/frameworks), not in the package.
 *
 * @group checkout
 */
final class FrameworkRecipeTest extends TestCase
{
    private const RECIPES = __DIR__ . '/../../../examples/php/frameworks';

    public function testTheSymfonyRecipeVerifiesRealCallbacks(): void
    {
        $log = sys_get_temp_dir() . '/alphapo-symfony-' . bin2hex(random_bytes(4)) . '.jsonl';
        $server = new PhpServer(realpath(self::RECIPES . '/symfony_callback.php'), ['ffi.enable' => '1'], [
            'ALPHAPO_KEY' => Sandbox::KEY,
            'ALPHAPO_SECRET' => Sandbox::SECRET,
            'ALPHAPO_CALLBACK_LOG' => $log,
        ]);
        $url = $server->url . '/alphapo/callback';
        $sandbox = new Sandbox(['--callback-url', $url, '--callback-time-scale', '0.001']);
        try {
            $foreignId = 'php-symfony-' . bin2hex(random_bytes(8));
            $invoice = $sandbox->client(['maxRetries' => 0])->createInvoice([
                'timer' => false, 'title' => 'Order 1001', 'currency' => 'EUR', 'amount' => '106.75',
                'foreign_id' => $foreignId, 'end_user_reference' => 'customer-42',
                'url_success' => 'https://shop.example.com/paid', 'url_failed' => 'https://shop.example.com/failed',
            ]);
            $paid = $sandbox->ok('POST', "invoices/$foreignId/pay", ['amount' => '106.75']);
            self::assertSame('confirmed', $paid['status']);

            $deadline = microtime(true) + 20;
            while (!in_array(true, array_column(CallbackLog::read($log), 'fully_paid'), true)) {
                self::assertLessThan($deadline, microtime(true), 'no fully paid callback; server log: ' . $server->log());
                usleep(50000);
            }
            $records = CallbackLog::read($log);
            self::assertSame([$foreignId], array_values(array_unique(array_column($records, 'foreign_id'))));
            self::assertSame([$invoice->id], array_values(array_unique(array_column($records, 'id'))));
            $fullyPaid = array_values(array_filter($records, fn ($r) => $r['fully_paid']));
            self::assertSame(['confirmed'], array_column($fullyPaid, 'status'));
            self::assertCount(count($records), array_unique(array_column($records, 'dedupe_key')));
            $attempts = array_values(array_filter($sandbox->ok('GET', 'callbacks')['attempts'], fn ($a) => $a['url'] === $url));
            self::assertGreaterThanOrEqual(count($records), count($attempts));
            foreach ($attempts as $attempt) {
                self::assertSame(200, $attempt['response_status'], json_encode($attempt));
            }

            // A genuine callback delivered again: 200, processed once.
            $genuine = $attempts[count($attempts) - 1]['body'];
            $signature = Callback::sign(Sandbox::SECRET, $genuine);
            self::assertSame(200, self::post($url, $genuine, $signature));
            // Tampered with, unsigned, signed with another secret, another key: 401, not processed.
            $tampered = str_replace('"confirmed"', '"cancelled"', $genuine);
            self::assertNotSame($genuine, $tampered);
            self::assertSame(401, self::post($url, $tampered, $signature));
            self::assertSame(401, self::post($url, $genuine, null));
            self::assertSame(401, self::post($url, $genuine, Callback::sign('wrong-secret', $genuine)));
            self::assertSame(401, self::post($url, $genuine, $signature, 'someone-else'));
            self::assertSame(405, Http::request('GET', $url)[0]);
            self::assertSame($records, CallbackLog::read($log));
        } finally {
            $sandbox->stop();
            $server->stop();
            @unlink($log);
        }
    }

    public function testTheReadmeShowsTheRecipeVerbatim(): void
    {
        $readme = (string) file_get_contents(dirname(__DIR__) . '/README.md');
        preg_match_all('#\[[^\]]+\]\(\.\./\.\./([^)]+)\):\n\n```php\n(.*?)```#s', $readme, $shown, PREG_SET_ORDER);
        $names = array_map(fn ($m) => basename($m[1]), $shown);
        self::assertContains('symfony_callback.php', $names);
        self::assertContains('orders.php', $names);
        foreach ($shown as [, $name, $code]) {
            self::assertSame(file_get_contents(dirname(__DIR__, 3) . '/' . $name), $code, "the README's copy of $name");
        }
    }


    private static function post(string $url, string $body, ?string $signature, string $key = Sandbox::KEY): int
    {
        $headers = ['Content-Type: application/json', 'X-Processing-Key: ' . $key];
        if ($signature !== null) {
            $headers[] = 'X-Processing-Signature: ' . $signature;
        }
        return Http::request('POST', $url, $body, $headers)[0];
    }
}
