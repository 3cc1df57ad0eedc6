<?php

/*
 * Creates a payment request and prints its payment link.
 *
 * Payment requests (POST /api/payments/v1/requests) ask for an amount in a currency and a
 * lifetime; the payer chooses how to pay on the hosted page and the merchant receives
 * exactly what was asked. The outcome arrives by callback (type "payment_request"): ship
 * the order on the one whose fullyPaid is true.
 *
 * Against the local sandbox (see the README):
 *   ALPHAPO_BASE_URL=http://127.0.0.1:PORT/api/v2 php examples/php/payment_request.php [foreign_id]
 * The payments base (<host>/api/payments/v1) follows baseUrl; the option paymentsBaseUrl
 * sets it.
 */

declare(strict_types=1);

// The autoloader (in your project: require 'vendor/autoload.php') and example_client().
require __DIR__ . '/_example.php';

use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\OutcomeUnknownException;
use AlphaPo\Exception\ValidationException;

$client = example_client(); // an AlphaPo\Client
$foreignId = $argv[1] ?? 'order-' . bin2hex(random_bytes(6));

try {
    $request = $client->createPaymentRequest([
        'amount' => '100.00',               // a decimal string, never a float
        'currency' => ['iso' => 'EUR'],
        'life_time_duration' => 3600,       // or life_time_datetime (Unix seconds)
        'foreign_id' => $foreignId,
        'description' => 'Order 1001',
        'url_store' => 'https://shop.example.com/cart',
    ]);
} catch (ValidationException $e) {
    // Nothing was sent: fix the fields.
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(2);
} catch (OutcomeUnknownException $e) {
    // It may have been created: never send it again blindly; wait for its callback.
    fwrite(STDERR, "outcome unknown for {$e->getForeignId()}: {$e->getMessage()}\n");
    exit(3);
} catch (AlphaPoException $e) {
    fwrite(STDERR, "{$e->getStatusName()}: {$e->getMessage()}\n");
    exit(1);
}

printf(
    "payment request %s (%s): %s %s until %d, pay at %s\n",
    $request->id,
    $request->status,
    $request->amount,
    $request->currency,
    $request->lifeTime,
    $request->paymentLink
);
