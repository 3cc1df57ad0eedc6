<?php

/*
 * Symfony HttpFoundation: an AlphaPo callback endpoint (POST /alphapo/callback).
 *
 *   ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret \
 *       php -d ffi.enable=1 -S 127.0.0.1:8000 examples/php/frameworks/symfony_callback.php
 *
 * In a Symfony application the controller is a service with a route (an attribute or a line
 * of routes.yaml) and the key and secret are parameters; here this file is its own front
 * controller. It answers 200 only once the callback was verified and processed; anything
 * else makes the service deliver it again later. Under php-fpm keep ffi.enable=preload and
 * preload the package (bindings/php/README.md).
 */

declare(strict_types=1);

// In your project: require 'vendor/autoload.php';
require __DIR__ . '/../../../bindings/php/autoload.php';
require_once 'Symfony/Component/HttpFoundation/autoload.php'; // Debian's php-symfony-http-foundation
require_once __DIR__ . '/orders.php'; // your business logic: processOnce()

use AlphaPo\Callback;
use AlphaPo\Exception\AlphaPoException;
use AlphaPo\Exception\SignatureMismatchException;
use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\HttpFoundation\Response;

final class AlphaPoCallbackController
{
    private string $secret;
    private string $apiKey;

    public function __construct(string $secret, string $apiKey)
    {
        $this->secret = $secret;
        $this->apiKey = $apiKey;
    }

    public function __invoke(Request $request): Response
    {
        if (!$request->isMethod('POST')) {
            return new Response('', Response::HTTP_METHOD_NOT_ALLOWED, ['Allow' => 'POST']);
        }
        try {
            $callback = Callback::parse(
                $this->secret,
                $request->getContent(), // the raw body bytes; never $request->request->all()
                $request->headers->get('X-Processing-Signature'),
                $request->headers->get('X-Processing-Key'), // checked when the service sends it
                $this->apiKey
            );
        } catch (SignatureMismatchException $e) {
            return new Response('', Response::HTTP_UNAUTHORIZED);
        } catch (AlphaPoException $e) {
            return new Response('', Response::HTTP_BAD_REQUEST); // signed, but not a callback
        }
        processOnce($callback); // throws on failure: 500, and the service delivers it again
        return new Response('', Response::HTTP_OK);
    }
}

// The front controller (a Symfony application's kernel does this part).
$request = Request::createFromGlobals();
$controller = new AlphaPoCallbackController(
    getenv('ALPHAPO_SECRET') ?: 'sandbox-secret',
    getenv('ALPHAPO_KEY') ?: 'sandbox-key'
);
try {
    $response = $request->getPathInfo() === '/alphapo/callback'
        ? $controller($request)
        : new Response('', Response::HTTP_NOT_FOUND);
} catch (Throwable $e) {
    error_log('alphapo callback processing failed: ' . $e->getMessage());
    $response = new Response('', Response::HTTP_INTERNAL_SERVER_ERROR);
}
$response->send();
