<?php

declare(strict_types=1);

namespace AlphaPo\Tests\Support;

use AlphaPo\Client;
use PHPUnit\Framework\TestCase;

/** One sandbox per test class, started by the test itself. */
abstract class SandboxTestCase extends TestCase
{
    protected static ?Sandbox $sandbox = null;

    /** @return list<string> extra sandbox options */
    protected static function sandboxArguments(): array
    {
        return [];
    }

    public static function setUpBeforeClass(): void
    {
        static::$sandbox = new Sandbox(static::sandboxArguments());
    }

    public static function tearDownAfterClass(): void
    {
        if (static::$sandbox !== null) {
            static::$sandbox->stop();
            static::$sandbox = null;
        }
    }

    protected function sandbox(): Sandbox
    {
        if (static::$sandbox === null) {
            throw new \LogicException('no sandbox');
        }
        return static::$sandbox;
    }

    protected function client(array $options = []): Client
    {
        return $this->sandbox()->client($options);
    }

    protected static function foreignId(string $prefix = 'php'): string
    {
        return $prefix . '-' . bin2hex(random_bytes(8));
    }

    /** @return array<string, mixed> the fields of a valid sandbox withdrawal, wire names */
    protected static function withdrawalFields(string $foreignId, array $override = []): array
    {
        return $override + [
            'currency' => 'BTC',
            'address' => 'tb1qsandboxdestination0000000000000000',
            'amount' => '0.001',
            'foreign_id' => $foreignId,
            'end_user_reference' => 'customer-1',
        ];
    }

    /** @return array<string, mixed> the fields of a valid invoice, wire names */
    protected static function invoiceFields(array $override = []): array
    {
        return $override + [
            'timer' => false,
            'title' => 'Order 1001',
            'currency' => 'EUR',
            'amount' => '106.75',
            'foreign_id' => self::foreignId('inv'),
            'end_user_reference' => 'customer-42',
            'url_success' => 'https://shop.example.com/paid',
            'url_failed' => 'https://shop.example.com/failed',
        ];
    }
}
