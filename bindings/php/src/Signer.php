<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Internal\Native;
use FFI\CData;

/**
 * A pre-keyed signer: the secret is keyed once, each signature costs only the hashing of
 * the body. The keyed state lives in the library and is wiped when the signer is destroyed.
 */
final class Signer
{
    private ?CData $handle = null;

    /** The library, and the output buffer of sign(): made once (a PHP object is used by one thread). */
    private \FFI $ffi;
    private CData $out;

    public function __construct(string $secret)
    {
        $ffi = Native::ffi();
        $slot = Native::slot('alphapo_signer');
        $key = Native::bytes($secret);
        try {
            $status = (int) $ffi->alphapo_signer_new($key, strlen($secret), \FFI::addr($slot));
        } finally {
            Native::wipe($key, strlen($secret));
        }
        Native::check($status);
        $this->handle = $slot;
        $this->ffi = $ffi;
        $this->out = $ffi->new('char[129]');
    }

    /**
     * 128 lowercase hex characters.
     *
     * One FFI call: the body goes to `alphapo_signer_sign_chars`, whose `const char*`
     * parameter takes the PHP string's own buffer (a `const uint8_t*` one would need a copy
     * into a new FFI buffer first), and the output buffer is the signer's, made once.
     *
     * @param string $body
     */
    public function sign($body): string
    {
        if (!is_string($body)) {
            $body = Signature::body($body);
        }
        $out = $this->out;
        $status = $this->ffi->alphapo_signer_sign_chars($this->handle ?? $this->handle(), $body, strlen($body), $out, 129);
        if ($status !== Status::OK) {
            Native::check((int) $status);
        }
        return \FFI::string($out, 128);
    }

    /**
     * Constant-time check of a hex signature (either case) over the exact body bytes.
     *
     * @param string $body
     */
    public function verify($body, string $signature): bool
    {
        $body = Signature::body($body);
        $status = (int) Native::ffi()->alphapo_signer_verify(
            $this->handle(),
            Native::bytes($body),
            strlen($body),
            $signature,
            strlen($signature)
        );
        if ($status === Status::SIGNATURE_MISMATCH) {
            return false;
        }
        Native::check($status);
        return true;
    }

    /** @internal the `alphapo_signer*` */
    public function handle(): CData
    {
        if ($this->handle === null) {
            throw new \LogicException('this signer was not initialized');
        }
        return $this->handle;
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Native::ffi()->alphapo_signer_free($this->handle);
            $this->handle = null;
        }
    }

    /** The native handle has one owner: no clones. */
    private function __clone()
    {
    }

    public function __serialize(): array
    {
        throw new \LogicException('an AlphaPo\Signer cannot be serialized');
    }

    public function __unserialize(array $data): void
    {
        throw new \LogicException('an AlphaPo\Signer cannot be unserialized');
    }

    public function __debugInfo(): array
    {
        return ['secret' => '(hidden)'];
    }
}
