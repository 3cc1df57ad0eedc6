<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Internal\Native;
use FFI\CData;

/**
 * A request ready to send, for shops that must use their own HTTP client: send `body`
 * byte for byte (the signature covers exactly these bytes) with `method` to `url` and these
 * `headers`, then hand the reply to {@see Client::decodeReply()}. Or send it with
 * {@see Client::send()}.
 *
 * Its properties are read-only: assigning one throws an \Error.
 *
 * @property-read int $operation the {@see Operation} constant
 * @property-read string $method
 * @property-read string $url
 * @property-read string $body
 * @property-read array<string, string> $headers `X-Processing-Key`, `X-Processing-Signature`,
 *     `Content-Type`
 */
final class PreparedRequest
{
    use Internal\ReadOnlyProperties;

    private const PROPERTIES = ['operation', 'method', 'url', 'body', 'headers'];

    private int $operation;
    private string $method;
    private string $url;
    private string $body;
    /** @var array<string, string> */
    private array $headers;
    private ?CData $handle;

    /** @param array<string, string> $headers */
    private function __construct(
        int $operation,
        string $method,
        string $url,
        string $body,
        array $headers,
        ?CData $handle
    ) {
        $this->operation = $operation;
        $this->method = $method;
        $this->url = $url;
        $this->body = $body;
        $this->headers = $headers;
        $this->handle = $handle;
    }

    /** @internal takes ownership of an `alphapo_prepared*` */
    public static function fromNative(int $operation, CData $handle): self
    {
        $ffi = Native::ffi();
        try {
            $length = $ffi->new('size_t');
            $body = Native::borrowedBytes(
                $ffi->alphapo_prepared_body($handle, \FFI::addr($length)),
                (int) $length->cdata
            );
            $headers = [];
            $count = (int) $ffi->alphapo_prepared_header_count($handle);
            for ($i = 0; $i < $count; $i++) {
                $headers[(string) $ffi->alphapo_prepared_header_name($handle, $i)] =
                    (string) $ffi->alphapo_prepared_header_value($handle, $i);
            }
            $method = (string) $ffi->alphapo_prepared_method($handle);
            $url = (string) $ffi->alphapo_prepared_url($handle);
        } catch (\Throwable $e) {
            $ffi->alphapo_prepared_free($handle);
            throw $e;
        }
        return new self($operation, $method, $url, $body ?? '', $headers, $handle);
    }

    /** Headers as `Name: value` lines (for curl's CURLOPT_HTTPHEADER). */
    public function headerLines(): array
    {
        $lines = [];
        foreach ($this->headers as $name => $value) {
            $lines[] = "$name: $value";
        }
        return $lines;
    }

    /** @internal the `alphapo_prepared*` for alphapo_client_send */
    public function handle(): CData
    {
        if ($this->handle === null) {
            throw new \LogicException('this prepared request was released');
        }
        return $this->handle;
    }

    public function __destruct()
    {
        if (isset($this->handle)) {
            Native::ffi()->alphapo_prepared_free($this->handle);
            $this->handle = null;
        }
    }

    public function __debugInfo(): array
    {
        return [
            'operation' => $this->operation,
            'method' => $this->method,
            'url' => $this->url,
            'body' => $this->body,
            // The signature is a credential for this body: at most its first 8 characters.
            'headers' => array_combine(array_keys($this->headers), array_map(
                function (string $value, string $name): string {
                    return strcasecmp($name, 'X-Processing-Signature') === 0 ? substr($value, 0, 8) . '…' : $value;
                },
                $this->headers,
                array_keys($this->headers)
            )),
        ];
    }

    /** The native handle has one owner: no clones. */
    private function __clone()
    {
    }

    public function __serialize(): array
    {
        throw new \LogicException(
            'an AlphaPo\PreparedRequest cannot be serialized; keep method, url, body and headers'
        );
    }

    public function __unserialize(array $data): void
    {
        throw new \LogicException('an AlphaPo\PreparedRequest cannot be unserialized');
    }
}
