<?php

/*
 * Creates an invoice and prints the page where the customer pays.
 *
 * Against the local sandbox (see the README):
 *   ALPHAPO_BASE_URL=http://127.0.0.1:PORT/api/v2 php examples/php/create_invoice.php [foreign_id]
 * Against the CryptoProcessing sandbox service:
 *   ALPHAPO_KEY=... ALPHAPO_SECRET=... php examples/php/create_invoice.php
 *
 * Environment: ALPHAPO_KEY, ALPHAPO_SECRET (defaults: the local sandbox's sandbox-key and
 * sandbox-secret), ALPHAPO_BASE_URL or ALPHAPO_ENVIRONMENT (default cryptoprocessing_sandbox).
 */

declare(strict_types=1);

// The autoloader (in your project: require 'vendor/autoload.php') and example_client().
require __DIR__ . '/_example.php';

use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\ConnectionException;
use AlphaPo\Exception\DuplicateForeignIdException;
use AlphaPo\Exception\ValidationException;

$client = example_client(['timeout' => 30]); // an AlphaPo\Client

// Your order number: unique per invoice. Keep it: retrying with the same foreign_id can
// never create a second invoice.
$foreignId = $argv[1] ?? 'order-' . bin2hex(random_bytes(6));

try {
    $invoice = $client->createInvoice([
        'timer' => false,
        'title' => 'Order 1001',
        'description' => 'Two tickets',
        'currency' => 'EUR',
        'amount' => '106.75',               // a decimal string, never a float
        'foreign_id' => $foreignId,
        'end_user_reference' => 'customer-42',
        'url_success' => 'https://shop.example.com/orders/1001/paid',
        'url_failed' => 'https://shop.example.com/orders/1001/failed',
    ]);
} catch (ValidationException $e) {
    // Nothing was sent: fix the fields.
    fwrite(STDERR, $e->getMessage() . "\n");
    foreach ($e->getFieldErrors() as $field => $message) {
        fwrite(STDERR, "  $field: $message\n");
    }
    exit(2);
} catch (DuplicateForeignIdException $e) {
    // An earlier attempt (maybe one whose reply was lost) already created this invoice.
    fwrite(STDERR, "invoice $foreignId already exists: {$e->getMessage()}\n");
    exit(3);
} catch (ConnectionException $e) {
    // No reply (timeouts and TLS included): the invoice may exist. Retry with the SAME foreign_id.
    fwrite(STDERR, "no reply ({$e->getStatusName()}): {$e->getMessage()}\n");
    fwrite(STDERR, "retry with the same foreign_id: $foreignId\n");
    exit(4);
} catch (AlphaPoException $e) {
    fwrite(STDERR, sprintf(
        "%s (HTTP %d, code %s): %s\n",
        $e->getStatusName(),
        $e->getHttpStatus(),
        $e->getApiCode() ?? '-',
        $e->getMessage()
    ));
    exit(1);
}

printf("invoice %s %s: %s %s\n", $invoice->id, $invoice->status, $invoice->amount, $invoice->currency);
printf("pay at: %s\n", $invoice->url);
printf("foreign_id: %s\n", $invoice->foreignId);
