<?php

/*
 * Served by `php -S` with the php-fpm preload settings (PreloadTest). This script itself is
 * not preloaded, so it may not use FFI; the preloaded AlphaPo classes may.
 */

declare(strict_types=1);

// A no-op for preloaded classes: the package's autoloader, or Composer's where the suite runs
// inside a project that installed the package (tests/legacy).
$package = dirname(__DIR__, 2);
require_once is_file($package . '/autoload.php') ? $package . '/autoload.php' : $package . '/vendor/autoload.php';

use AlphaPo\Client;
use AlphaPo\Internal\Native;
use AlphaPo\Signature;

header('Content-Type: application/json');
$report = [
    'sapi' => PHP_SAPI,
    'ffi.enable' => ini_get('ffi.enable'),
    'preloaded' => class_exists(Native::class, false) && class_exists(Client::class, false),
];
try {
    $report['mode'] = Native::mode();
    $report['version'] = Native::ffi()->alphapo_version();
    $report['vector'] = Signature::sign('AbCdEfG123456', '{"currency":"BTC","foreign_id":"123456"}');
    $client = new Client('sandbox-key', 'sandbox-secret', ['baseUrl' => (string) getenv('ALPHAPO_BASE_URL')]);
    $invoice = $client->createInvoice([
        'timer' => false,
        'title' => 'Preloaded',
        'currency' => 'EUR',
        'amount' => '10.00',
        'foreign_id' => 'preload-' . bin2hex(random_bytes(6)),
        'end_user_reference' => 'customer-1',
        'url_success' => 'https://shop.example.com/ok',
        'url_failed' => 'https://shop.example.com/failed',
    ]);
    $report['invoice_amount'] = $invoice->amount;
} catch (Throwable $e) {
    $report['error'] = get_class($e) . ': ' . $e->getMessage();
}
foreach ([
    'cdef' => fn () => FFI::cdef('int abs(int);'),
    'scope' => fn () => FFI::scope('ALPHAPO'),
] as $name => $call) {
    try {
        $call();
        $report["direct_$name"] = 'allowed';
    } catch (Throwable $e) {
        $report["direct_$name"] = $e->getMessage();
    }
}
echo json_encode($report, JSON_UNESCAPED_SLASHES);
