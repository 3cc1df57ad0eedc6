<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Exception\InvalidArgumentException;
use AlphaPo\Internal\Fields;
use AlphaPo\Internal\Native;

/**
 * HMAC-SHA512 signatures as the API uses them: lowercase hex over the exact body bytes.
 *
 * ```php
 * $signature = AlphaPo\Signature::sign($secret, $body);
 * $ok = AlphaPo\Signature::verify($secret, $body, $signatureHeader); // constant time
 * ```
 *
 * The body is the string of bytes sent or received. An array is refused: a re-encoded body
 * is not the body that was signed. To sign many bodies with one secret, use {@see Signer}.
 */
final class Signature
{
    /**
     * 128 lowercase hex characters.
     *
     * @param string $body
     */
    public static function sign(string $secret, $body): string
    {
        $body = self::body($body);
        $ffi = Native::ffi();
        $key = Native::bytes($secret);
        $data = Native::bytes($body);
        $out = $ffi->new('char[129]');
        try {
            $status = $ffi->alphapo_sign($key, strlen($secret), $data, strlen($body), $out, 129);
        } finally {
            Native::wipe($key, strlen($secret));
        }
        Native::check((int) $status);
        return \FFI::string($out, 128);
    }

    /**
     * Whether `$signature` (hex, either case) is the signature of `$body` under `$secret`,
     * compared in constant time. False also for a wrong length or non-hex.
     *
     * @param string $body
     */
    public static function verify(string $secret, $body, string $signature): bool
    {
        $body = self::body($body);
        $ffi = Native::ffi();
        $key = Native::bytes($secret);
        try {
            $status = (int) $ffi->alphapo_verify(
                $key,
                strlen($secret),
                Native::bytes($body),
                strlen($body),
                $signature,
                strlen($signature)
            );
        } finally {
            Native::wipe($key, strlen($secret));
        }
        if ($status === Status::SIGNATURE_MISMATCH) {
            return false;
        }
        Native::check($status);
        return true;
    }

    /**
     * @internal the body as bytes; refuses arrays and objects with an explanation
     * @param mixed $body
     */
    public static function body($body): string
    {
        if (is_string($body)) {
            return $body;
        }
        if (is_array($body) || is_object($body)) {
            throw new InvalidArgumentException(
                'the body must be the raw bytes as a string (for a callback: '
                . "file_get_contents('php://input')), not " . Fields::typeName($body)
                . ': the signature covers the exact bytes, and a decoded and re-encoded body '
                . 'is not those bytes'
            );
        }
        throw new InvalidArgumentException('the body must be a string, not ' . Fields::typeName($body));
    }

    private function __construct()
    {
    }
}
