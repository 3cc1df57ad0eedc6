<?php

declare(strict_types=1);

namespace AlphaPo\Exception;

use AlphaPo\Status;

/**
 * The shared state of every AlphaPo exception. Subclasses set `DEFAULT_STATUS`.
 *
 * @internal
 */
trait ExceptionDetails
{
    private int $httpStatus;
    private ?string $apiCode;
    /** @var array<string, string> */
    private array $fieldErrors;
    private ?string $rawBody;
    private ?int $cause = null;
    private ?string $foreignId = null;
    /** @var array<string, mixed>|null */
    private ?array $attempts = null;

    /**
     * @param array<string, string> $fieldErrors
     */
    public function __construct(
        string $message = '',
        ?int $status = null,
        int $httpStatus = 0,
        ?string $apiCode = null,
        array $fieldErrors = [],
        ?string $rawBody = null,
        ?\Throwable $previous = null
    ) {
        parent::__construct($message, $status ?? static::DEFAULT_STATUS, $previous);
        $this->httpStatus = $httpStatus;
        $this->apiCode = $apiCode;
        $this->fieldErrors = $fieldErrors;
        $this->rawBody = $rawBody;
    }

    public function getStatus(): int
    {
        return (int) $this->getCode();
    }

    public function getStatusName(): string
    {
        return Status::name($this->getStatus());
    }

    public function getHttpStatus(): int
    {
        return $this->httpStatus;
    }

    public function getApiCode(): ?string
    {
        return $this->apiCode;
    }

    /** @return array<string, string> */
    public function getFieldErrors(): array
    {
        return $this->fieldErrors;
    }

    public function getRawBody(): ?string
    {
        return $this->rawBody;
    }

    public function getCause(): ?int
    {
        return $this->cause;
    }

    public function getForeignId(): ?string
    {
        return $this->foreignId;
    }

    /**
     * Sets what the library's error object says beyond the status (Internal\Errors only).
     *
     * @internal
     */
    public function setOrigin(?int $cause, ?string $foreignId): void
    {
        $this->cause = $cause;
        $this->foreignId = $foreignId;
    }

    /** @return array<string, mixed>|null */
    public function getAttempts(): ?array
    {
        return $this->attempts;
    }

    /**
     * Sets the record of the call's attempts (Internal\Errors only).
     *
     * @internal
     * @param array<string, mixed>|null $attempts
     */
    public function setAttempts(?array $attempts): void
    {
        $this->attempts = $attempts;
    }
}
