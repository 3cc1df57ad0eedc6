<?php

declare(strict_types=1);

namespace AlphaPo\Tests;

use AlphaPo\Client;
use AlphaPo\Exception;
use AlphaPo\Internal\CallLog;
use AlphaPo\Internal\Native;
use AlphaPo\Internal\Operations;
use AlphaPo\Operation;
use AlphaPo\Tests\Support\ListLogger;
use AlphaPo\Tests\Support\Sandbox;
use AlphaPo\Tests\Support\SandboxTestCase;
use Psr\Log\LogLevel;

/**
 * The `'logger'` option with a real PSR-3 logger (Debian's php-psr-log): one DEBUG record
 * per call naming the operation, a WARNING for an unknown outcome, nothing secret or
 * personal in any record; and a logger without psr/log installed.
 */
final class LoggerTest extends SandboxTestCase
{
    private static function withdrawal(string $foreignId): array
    {
        return self::withdrawalFields($foreignId, ['end_user_reference' => 'customer-secret-ref-1']);
    }

    public function testOneDebugRecordPerCallNamingTheOperation(): void
    {
        $logger = new ListLogger();
        $client = $this->client(['maxRetries' => 0, 'logger' => $logger]);
        $fields = self::invoiceFields(['end_user_reference' => 'customer-secret-ref-2']);
        $client->ping();
        $client->listAccounts();
        $invoice = $client->createInvoice($fields);
        $client->request('/accounts/list?x=1', []);
        $client->send($client->prepareListAccounts());
        self::assertNull($client->reconcile('never-' . self::foreignId()));
        try {
            $client->createInvoice(['title' => '']);
            self::fail('expected a ValidationException');
        } catch (Exception\ValidationException $e) {
        }
        self::assertSame($fields['foreign_id'], $invoice->foreignId);
        $debug = $logger->at(LogLevel::DEBUG);
        self::assertSame([
            ['ping', 'GET', '/ping', 200, 'OK'],
            ['listAccounts', 'POST', '/accounts/list', 200, 'OK'],
            ['createInvoice', 'POST', '/invoices/create', 200, 'OK'],
            ['request', 'POST', '/accounts/list', 200, 'OK'],
            ['send', 'POST', '/accounts/list', 200, 'OK'],
            ['reconcile', 'GET', '/transactions/info', 404, 'OK'],
            ['createInvoice', 'POST', '/invoices/create', null, 'ALPHAPO_STATUS_VALIDATION'],
        ], array_map(fn ($r) => [
            $r[2]['operation'], $r[2]['method'], $r[2]['path'], $r[2]['http_status'], $r[2]['status'],
        ], $debug));
        self::assertCount(count($debug), $logger->records, 'nothing but DEBUG records');
        foreach ($debug as [, $message, $context]) {
            self::assertStringStartsWith('alphapo: ' . $context['operation'] . ' ', $message);
            self::assertMatchesRegularExpression('/ in \d+\.\d ms, \d+ attempt\(s\)$/', $message);
            self::assertIsFloat($context['elapsed_ms']);
            self::assertGreaterThanOrEqual(0.0, $context['elapsed_ms']);
        }
        self::assertNothingSecret($logger, [$fields['end_user_reference'], $fields['url_success']]);
    }

    public function testOutcomeUnknownIsAWarningWithTheForeignId(): void
    {
        $logger = new ListLogger();
        $foreignId = self::foreignId('php-log-lost');
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'drop_after', 'path' => '/withdrawal/crypto']);
        try {
            $this->client(['maxRetries' => 0, 'logger' => $logger])->withdraw(self::withdrawal($foreignId));
            self::fail('expected an OutcomeUnknownException');
        } catch (Exception\OutcomeUnknownException $e) {
        }
        $warnings = $logger->at(LogLevel::WARNING);
        self::assertCount(1, $warnings);
        [, $message, $context] = $warnings[0];
        self::assertSame('withdraw', $context['operation']);
        self::assertSame($foreignId, $context['foreign_id']);
        self::assertSame('ALPHAPO_STATUS_TRANSPORT', $context['cause']);
        self::assertSame('ALPHAPO_STATUS_OUTCOME_UNKNOWN', $context['status']);
        self::assertStringContainsString($foreignId, $message);
        self::assertStringContainsString('withdraw POST /withdrawal/crypto: outcome unknown', $message);
        self::assertSame(
            [['withdraw', 'ALPHAPO_STATUS_OUTCOME_UNKNOWN']],
            array_map(fn ($r) => [$r[2]['operation'], $r[2]['status']], $logger->at(LogLevel::DEBUG))
        );
        self::assertNothingSecret($logger, ['customer-secret-ref-1']);
    }

    public function testARetriedCallIsAWarningListingItsAttempts(): void
    {
        $logger = new ListLogger();
        $this->sandbox()->ok('POST', 'faults', ['mode' => 'http_502', 'path' => '/accounts/list']);
        try {
            $accounts = $this->client(['maxRetries' => 2, 'logger' => $logger])->listAccounts();
        } finally {
            $this->sandbox()->ok('DELETE', 'faults');
        }
        self::assertSame(['SERVER', 'OK'], array_column($accounts->attempts['attempts'], 'status'));
        self::assertSame([502, 200], array_column($accounts->attempts['attempts'], 'http_status'));
        $warnings = $logger->at(LogLevel::WARNING);
        self::assertCount(1, $warnings);
        self::assertMatchesRegularExpression(
            '#^alphapo: listAccounts POST /accounts/list: retried: SERVER 502 in \d+\.\d ms, OK 200 in \d+\.\d ms$#',
            $warnings[0][1]
        );
        self::assertSame(2, $logger->at(LogLevel::DEBUG)[0][2]['attempts']);
    }

    public function testNoRecordHoldsASecretASignatureOrPersonalData(): void
    {
        $logger = new ListLogger();
        $reference = self::foreignId('ref');
        $client = $this->client(['maxRetries' => 0, 'logger' => $logger]);
        $client->createInvoice(self::invoiceFields(['end_user_reference' => $reference, 'email_user' => 'a@example.com']));
        $prepared = $client->prepareWithdraw(self::withdrawal(self::foreignId('wd')));
        $client->send($prepared);
        $bad = $this->sandbox()->client(['maxRetries' => 0, 'logger' => $logger], null, 'wrong-secret');
        try {
            $bad->listAccounts();
            self::fail('expected an AuthenticationException');
        } catch (Exception\AuthenticationException $e) {
        }
        self::assertCount(3, $logger->records);
        self::assertNothingSecret($logger, [
            $reference, 'a@example.com', $prepared->headers['X-Processing-Signature'], 'wrong-secret', $prepared->body,
        ]);
    }

    /** A logger that throws never turns a completed call into a failure. */
    public function testAThrowingLoggerDoesNotBreakTheCall(): void
    {
        $logger = new class () extends \Psr\Log\AbstractLogger {
            public int $calls = 0;

            /** @param mixed $level */
            public function log($level, $message, array $context = []): void
            {
                $this->calls++;
                throw new \RuntimeException('the log is full');
            }
        };
        $invoice = $this->client(['logger' => $logger])->createInvoice(self::invoiceFields());
        self::assertIsInt($invoice->id);
        self::assertSame(1, $logger->calls);
    }

    public function testALoggerMustHaveThePsr3Methods(): void
    {
        foreach ([new \stdClass(), 'error_log', true] as $notALogger) {
            try {
                $this->client(['logger' => $notALogger]);
                self::fail('expected an InvalidArgumentException');
            } catch (Exception\InvalidArgumentException $e) {
                self::assertStringContainsString('logger must be a Psr\Log\LoggerInterface', $e->getMessage());
            }
        }
    }

    /**
     * examples/php/logging.php: a logger with PSR-3's methods, and psr/log never loaded.
     *
     * @group checkout
     */
    public function testTheExampleLogsWithoutPsrLog(): void
    {
        $script = 'require getenv("ALPHAPO_EXAMPLE"); '
            . 'exit(interface_exists("Psr\\Log\\LoggerInterface", false) ? 3 : 0);';
        $command = sprintf(
            'ALPHAPO_EXAMPLE=%s ALPHAPO_KEY=%s ALPHAPO_SECRET=%s ALPHAPO_BASE_URL=%s %s -d ffi.enable=1 -r %s 2>&1',
            escapeshellarg(dirname(__DIR__, 3) . '/examples/php/logging.php'),
            escapeshellarg(Sandbox::KEY),
            escapeshellarg(Sandbox::SECRET),
            escapeshellarg($this->sandbox()->baseUrl),
            escapeshellarg(PHP_BINARY),
            escapeshellarg($script)
        );
        exec($command, $output, $code);
        self::assertSame(0, $code, implode("\n", $output));
        self::assertCount(2, $output);
        self::assertMatchesRegularExpression('#^DEBUG alphapo: ping GET /ping -> 200 in \d+\.\d ms, 1 attempt\(s\) \{"operation":"ping",#', $output[0]);
        self::assertMatchesRegularExpression('#^DEBUG alphapo: listAccounts POST /accounts/list -> 200 in \d+\.\d ms, 1 attempt\(s\) \{#', $output[1]);
    }

    /**
     * Reads include/alphapo.h, which only the checkout has.
     *
     * @group checkout
     */
    public function testRoutesMatchTheHeader(): void
    {
        $text = (string) file_get_contents(dirname(Native::packageDir(), 2) . '/include/alphapo.h');
        preg_match_all('#`(GET|POST) (/[^` ]*)`.*?ALPHAPO_OPERATION_\w+ = (\d+)#s', $text, $m, PREG_SET_ORDER);
        $documented = [];
        foreach ($m as [, $method, $path, $number]) {
            $documented[(int) $number] = [$method, $path];
        }
        self::assertCount(14, $documented);
        $routes = [];
        foreach (Operations::all() as $code => $row) {
            if ($code !== Operation::GENERIC) {
                $routes[$code] = CallLog::route($code, '{}');
            }
        }
        self::assertSame($documented, array_map(fn ($r) => [$r[1], $r[2]], $routes));
        foreach ($routes as [$name]) {
            self::assertTrue(method_exists(Client::class, $name), "Client::$name");
        }
        self::assertSame(['request', 'GET', '/x/y'], CallLog::route(Operation::GENERIC, '{"method":"get","path":"/x/y?secret=1"}'));
    }

    /** @param list<string> $personal */
    private static function assertNothingSecret(ListLogger $logger, array $personal): void
    {
        self::assertNotEmpty($logger->records);
        foreach ($logger->records as $record) {
            $text = json_encode($record, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
            self::assertStringNotContainsString(Sandbox::SECRET, $text);
            self::assertStringNotContainsString(Sandbox::KEY, $text);
            self::assertDoesNotMatchRegularExpression('/[0-9a-fA-F]{128}/', $text);
            foreach ($personal as $value) {
                self::assertStringNotContainsString($value, $text);
            }
        }
    }
}
