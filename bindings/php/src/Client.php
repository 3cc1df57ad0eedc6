<?php

declare(strict_types=1);

namespace AlphaPo;

use AlphaPo\Exception\InvalidArgumentException;
use AlphaPo\Internal\CallLog;
use AlphaPo\Internal\Fields;
use AlphaPo\Internal\Native;
use AlphaPo\Internal\Operations;
use FFI\CData;

/**
 * A client for the merchant API v2: credentials, a connection pool, timeouts and a retry
 * policy, all inside libalphapo. Create one per process (or per worker) and reuse it.
 *
 * ```php
 * $client = new AlphaPo\Client($apiKey, $secret, ['environment' => 'cryptoprocessing_sandbox']);
 * $invoice = $client->createInvoice([
 *     'title' => 'Order 1001', 'currency' => 'EUR', 'amount' => '106.75',
 *     'foreign_id' => 'order-1001', 'timer' => false,
 *     'url_success' => 'https://shop.example.com/paid',
 *     'url_failed' => 'https://shop.example.com/failed', 'end_user_reference' => 'customer-42',
 * ]);
 * echo $invoice->url;
 * ```
 *
 * Every operation method takes the operation's fields as one array with the API's wire
 * names (`['foreign_id' => ...]`); anything after that array is refused. Amounts are decimal
 * strings (or ints): a float is refused. The library checks every documented
 * rule before anything is sent (ValidationException lists each failed field), signs the
 * exact body it sends, and decodes the reply into a read-only typed {@see Result}
 * ({@see Invoice}, ...).
 *
 * Each `prepare...` method stops before sending and returns a {@see PreparedRequest}
 * (method, URL, body, headers) for shops that keep their own HTTP client. They are derived
 * from the library's operations table (see __call()); the tags below are for IDEs.
 *
 * @method PreparedRequest preparePing()
 * @method PreparedRequest prepareListAccounts()
 * @method PreparedRequest prepareListCurrencies(array $fields = [])
 * @method PreparedRequest prepareCurrencyPairs(array $fields = [])
 * @method PreparedRequest prepareCurrencyRates(array $fields = [])
 * @method PreparedRequest prepareTakeAddress(array $fields = [])
 * @method PreparedRequest prepareWithdraw(array $fields = [])
 * @method PreparedRequest prepareCalculateExchange(array $fields = [])
 * @method PreparedRequest prepareExchangeFixed(array $fields = [])
 * @method PreparedRequest prepareExchangeNow(array $fields = [])
 * @method PreparedRequest prepareCreateInvoice(array $fields = [])
 * @method PreparedRequest prepareCancelInvoice(array $fields = [])
 * @method PreparedRequest prepareTransactionInfo(array $fields = [])
 * @method PreparedRequest prepareCreatePaymentRequest(array $fields = [])
 */
final class Client
{
    /** The options the constructor accepts. */
    public const OPTIONS = [
        'environment',       // Environment::* or its name, e.g. 'cryptoprocessing_sandbox'
        'baseUrl',           // custom base URL including /api/v2 (e.g. the local sandbox)
        'paymentsBaseUrl',   // payment requests' base when not <host of baseUrl>/api/payments/v1
        'timeout',           // seconds (int or float) to send a request and receive its reply
        'connectTimeout',    // seconds (int or float) to connect
        'maxRetries',        // retries after the first attempt (default 2, at most 10)
        'appInfo',           // appended to the User-Agent, e.g. 'MyShop/1.4'
        'caFile',            // PEM file: trust exactly these certificates
        'allowInsecureHttp', // allow http:// to a non-loopback baseUrl (tests only)
        'proxy',             // 'http://[user:pass@]host:port': HTTPS through a CONNECT tunnel
        'proxyFromEnvironment', // read HTTPS_PROXY / NO_PROXY (never HTTP_PROXY under CGI)
        'logger',            // a PSR-3 logger (Psr\Log\LoggerInterface or any object with its methods)
    ];

    /** The string options that have a builder setter of their own, in the order they are set. */
    private const STRING_SETTERS = ['appInfo' => 'set_app_info', 'caFile' => 'set_ca_file', 'proxy' => 'set_proxy'];

    /** The `alphapo_error*` out-parameter of fill() and its address (one call at a time per process). */
    private static ?CData $error = null;
    private static ?CData $errorAddress = null;
    /** @var array{0: CData, 1: CData, 2: CData, 3: CData}|null callSlots(), when not in use */
    private static ?array $idleSlots = null;

    private ?CData $handle = null;
    private ?object $logger = null;

    /**
     * @param string $apiKey the `X-Processing-Key`
     * @param string $secret the secret used to sign requests
     * @param array<string, mixed> $options see OPTIONS; unknown options are refused
     */
    public function __construct(string $apiKey, string $secret, array $options = [])
    {
        $unknown = array_diff(array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw new InvalidArgumentException(sprintf(
                'unknown client option(s) %s; known: %s',
                implode(', ', $unknown),
                implode(', ', self::OPTIONS)
            ));
        }
        $this->logger = CallLog::logger($options['logger'] ?? null);
        $ffi = Native::ffi();
        $builder = Native::slot('alphapo_client_builder');
        $error = Native::slot('alphapo_error');
        $key = Native::bytes($secret);
        try {
            $status = (int) $ffi->alphapo_client_builder_new(
                Native::cString($apiKey, 'the API key'),
                $key,
                strlen($secret),
                \FFI::addr($builder),
                \FFI::addr($error)
            );
        } finally {
            Native::wipe($key, strlen($secret));
        }
        Native::check($status, $error);
        try {
            $this->configure($builder, $options);
        } catch (\Throwable $e) {
            $ffi->alphapo_client_builder_free($builder);
            throw $e;
        }
        $client = Native::slot('alphapo_client');
        // Consumes the builder, also when it fails.
        Native::check(
            (int) $ffi->alphapo_client_builder_build($builder, \FFI::addr($client), \FFI::addr($error)),
            $error
        );
        $this->handle = $client;
    }

    private function configure(CData $builder, array $options): void
    {
        if (isset($options['environment'])) {
            $environment = $options['environment'];
            if (!is_int($environment) && !is_string($environment)) {
                throw new InvalidArgumentException(
                    'environment must be an AlphaPo\Environment constant or name'
                );
            }
            self::set($builder, 'set_environment', self::uint32(Environment::fromName($environment), 'environment'));
        }
        if (isset($options['baseUrl'])) {
            self::set($builder, 'set_base_url', self::cString($options, 'baseUrl'), self::insecureHttp($options));
        } elseif (isset($options['allowInsecureHttp'])) {
            self::insecureHttp($options);
        }
        if (isset($options['paymentsBaseUrl'])) {
            self::set($builder, 'set_payments_base_url', self::cString($options, 'paymentsBaseUrl'), self::insecureHttp($options));
        }
        if (isset($options['timeout']) || isset($options['connectTimeout'])) {
            self::set(
                $builder,
                'set_timeouts',
                self::milliseconds($options['connectTimeout'] ?? null, 'connectTimeout'),
                self::milliseconds($options['timeout'] ?? null, 'timeout')
            );
        }
        if (isset($options['maxRetries'])) {
            if (!is_int($options['maxRetries'])) {
                throw new InvalidArgumentException('maxRetries must be an int');
            }
            self::set($builder, 'set_max_retries', self::uint32($options['maxRetries'], 'maxRetries'));
        }
        foreach (self::STRING_SETTERS as $option => $setter) {
            if (isset($options[$option])) {
                self::set($builder, $setter, self::cString($options, $option));
            }
        }
        if (isset($options['proxyFromEnvironment'])) {
            self::set($builder, 'set_proxy_from_environment', self::bool($options['proxyFromEnvironment'], 'proxyFromEnvironment'));
        }
    }

    /**
     * Calls the builder setter `alphapo_client_builder_<$setter>($builder, ...$arguments, &err)`
     * and throws its error.
     *
     * @param int|bool|string ...$arguments the setter's arguments between the builder and `err`
     */
    private static function set(CData $builder, string $setter, ...$arguments): void
    {
        $error = Native::slot('alphapo_error');
        $arguments[] = \FFI::addr($error);
        Native::check((int) Native::ffi()->{'alphapo_client_builder_' . $setter}($builder, ...$arguments), $error);
    }

    /**
     * The string option `$option` for a `const char*` argument.
     *
     * @param array<string, mixed> $options
     */
    private static function cString(array $options, string $option): string
    {
        return Native::cString(self::string($options[$option], $option), $option);
    }

    /** @param array<string, mixed> $options */
    private static function insecureHttp(array $options): bool
    {
        return self::bool($options['allowInsecureHttp'] ?? false, 'allowInsecureHttp');
    }

    // ---- operations --------------------------------------------------------------------

    /** `GET /ping`: `data` is `"OK"`. */
    public function ping(): Response
    {
        return $this->run(Operation::PING, '{}');
    }

    /** `POST /accounts/list`: a list of `{currency, type, balance}`. */
    public function listAccounts(): ResultList
    {
        return $this->run(Operation::ACCOUNTS_LIST, '{}');
    }

    /** `POST /currencies/list`; fields: `visible`?. */
    public function listCurrencies(array $fields = [], ...$unexpected): ResultList
    {
        return $this->run(Operation::CURRENCIES_LIST, Fields::json($fields, $unexpected));
    }

    /** `POST /currencies/pairs`; fields: `currency_from`?, `currency_to`?. */
    public function currencyPairs(array $fields = [], ...$unexpected): ResultList
    {
        return $this->run(Operation::CURRENCIES_PAIRS, Fields::json($fields, $unexpected));
    }

    /** `POST /currencies/rates`; fields: `currency_from`, `currency_to`. */
    public function currencyRates(array $fields = [], ...$unexpected): ResultList
    {
        return $this->run(Operation::CURRENCIES_RATES, Fields::json($fields, $unexpected));
    }

    /**
     * `POST /addresses/take`: a deposit address; fields: `currency`, `foreign_id`,
     * `convert_to`?, `end_user_reference`?, `sender_type`?, `sender_data`?.
     */
    public function takeAddress(array $fields = [], ...$unexpected): Address
    {
        return $this->run(Operation::ADDRESSES_TAKE, Fields::json($fields, $unexpected));
    }

    /**
     * `POST /withdrawal/crypto`; fields: `currency`, `address`, `amount` or `amount_to`,
     * `foreign_id`, `convert_to`?, `tag`?, `end_user_reference`, `sender_*`, `receiver_*`.
     */
    public function withdraw(array $fields = [], ...$unexpected): Withdrawal
    {
        return $this->run(Operation::WITHDRAWAL_CRYPTO, Fields::json($fields, $unexpected));
    }

    /**
     * `POST /exchange/calculate`: a quote; fields: `sender_currency`, `receiver_currency`,
     * `sender_amount` or `receiver_amount`.
     */
    public function calculateExchange(array $fields = [], ...$unexpected): Exchange
    {
        return $this->run(Operation::EXCHANGE_CALCULATE, Fields::json($fields, $unexpected));
    }

    /** `POST /exchange/fixed`: as calculateExchange plus `foreign_id` and the quoted `price`. */
    public function exchangeFixed(array $fields = [], ...$unexpected): Exchange
    {
        return $this->run(Operation::EXCHANGE_FIXED, Fields::json($fields, $unexpected));
    }

    /** `POST /exchange/now`: as calculateExchange plus `foreign_id`. */
    public function exchangeNow(array $fields = [], ...$unexpected): Exchange
    {
        return $this->run(Operation::EXCHANGE_NOW, Fields::json($fields, $unexpected));
    }

    /**
     * `POST /invoices/create`; fields: `timer`, `title`, `description`?, `currency`, `amount`,
     * `sender_currency`?, `foreign_id`, `end_user_reference`, `url_success`, `url_failed`,
     * `email_user`?, `type`?, `sender_type`?, `sender_data`?.
     */
    public function createInvoice(array $fields = [], ...$unexpected): Invoice
    {
        return $this->run(Operation::INVOICES_CREATE, Fields::json($fields, $unexpected));
    }

    /**
     * `POST /api/payments/v1/requests`: a payment request with a hosted payment link;
     * fields: `amount` (a decimal string), `currency` (`['iso' => 'EUR']`, optionally
     * `network_name`), `life_time_duration` (seconds) or `life_time_datetime` (Unix
     * seconds), `payment_currency`?, `end_user_email`?, `end_user_reference`?,
     * `description`?, `foreign_id`?, `url_store`?, `url_success`?, `url_failed`?,
     * `sender_type`?, `sender_data`?. Money moves: a lost reply is an
     * OutcomeUnknownException, never repeated.
     */
    public function createPaymentRequest(array $fields = [], ...$unexpected): PaymentRequest
    {
        return $this->run(Operation::PAYMENT_REQUESTS_CREATE, Fields::json($fields, $unexpected));
    }

    /** `POST /invoices/{foreign_id}/cancel/`; fields: `foreign_id`. */
    public function cancelInvoice(array $fields = [], ...$unexpected): Invoice
    {
        return $this->run(Operation::INVOICES_CANCEL, Fields::json($fields, $unexpected));
    }

    /** `GET /transactions/info`; exactly one of the fields `id`, `foreign_id`, `txid`. */
    public function transactionInfo(array $fields = [], ...$unexpected): Transaction
    {
        return $this->run(Operation::TRANSACTIONS_INFO, Fields::json($fields, $unexpected));
    }

    /**
     * Looks a money-moving operation up by its `foreign_id` (`transactions/info`): the answer
     * to an OutcomeUnknownException (`$e->getForeignId()`) and to a
     * DuplicateForeignIdException that "may already have happened". Returns the transaction
     * (read its `status`), or null when the service answers 404: no such transaction (yet: a
     * withdrawal may still be in flight; wait for its callback before sending it again with a
     * new foreign_id). Any other failure throws. Read-only, so retried like any lookup.
     */
    public function reconcile(string $foreignId): ?Transaction
    {
        $route = CallLog::route(Operation::TRANSACTIONS_INFO, '{}', 'reconcile');
        return CallLog::around($this->logger, $route, function () use ($foreignId): ?Transaction {
            return $this->reconcileUnlogged($foreignId);
        });
    }

    private function reconcileUnlogged(string $foreignId): ?Transaction
    {
        $out = $this->fill('reconcile', 'alphapo_response', Native::cString($foreignId, 'foreign_id'));
        if (\FFI::isNull($out)) {
            return null;
        }
        $transaction = Result::fromNative(Operation::TRANSACTIONS_INFO, $out);
        assert($transaction instanceof Transaction);
        return $transaction;
    }

    /**
     * Any endpoint, so that a new one never blocks you: `$path` below the base URL
     * (`'/payments/list'`), a JSON object body, `POST` or `GET`.
     */
    public function request(string $path, array $body = [], string $method = 'POST'): Response
    {
        return $this->run(Operation::GENERIC, self::genericJson($path, $body, $method));
    }

    // ---- prepare: stop before sending ------------------------------------------------------

    /**
     * The `prepare` twin of every operation method, derived from the library's operations
     * table: `prepareCreateInvoice($fields)` is `prepare(Operation::INVOICES_CREATE, $fields)`
     * (same arguments as `createInvoice`), and so on for each row.
     *
     * @param list<mixed> $arguments
     */
    public function __call(string $name, array $arguments): PreparedRequest
    {
        $operation = strncmp($name, 'prepare', 7) === 0 ? Operations::byMethod(lcfirst(substr($name, 7))) : null;
        if ($operation === null || $operation === Operation::GENERIC) {
            throw new \Error(sprintf('Call to undefined method %s::%s()', self::class, $name));
        }
        $fields = $arguments[0] ?? [];
        if (!is_array($fields)) {
            throw new InvalidArgumentException(sprintf(
                'pass the fields as one array of the API\'s field names, not %s',
                Fields::typeName($fields)
            ));
        }
        return $this->prepare($operation, Fields::json($fields, array_slice($arguments, 1)));
    }

    public function prepareRequest(string $path, array $body = [], string $method = 'POST'): PreparedRequest
    {
        return $this->prepare(Operation::GENERIC, self::genericJson($path, $body, $method));
    }

    // ---- the generic layer ---------------------------------------------------------------------

    /**
     * Runs an operation (an {@see Operation} constant) with its fields as a JSON object
     * string, or as an array of wire fields. Validates, signs, sends (with safe retries),
     * decodes.
     *
     * @param string|array<string, mixed> $request
     */
    public function call(int $operation, $request = '{}'): Result
    {
        if ($this->logger === null) {
            return $this->callUnlogged($operation, $request);
        }
        return CallLog::around($this->logger, CallLog::route($operation, $request), function () use ($operation, $request): Result {
            return $this->callUnlogged($operation, $request);
        });
    }

    /** @param string|array<string, mixed> $request */
    private function callUnlogged(int $operation, $request): Result
    {
        return $this->callNative(self::uint32($operation, 'operation'), self::requestJson($request));
    }

    /**
     * call() for the operation methods: `$operation` is an Operation constant and `$json`
     * comes from Fields (json_encode writes no NUL byte), so neither is checked again.
     */
    private function run(int $operation, string $json): Result
    {
        if ($this->logger !== null) {
            return $this->call($operation, $json);
        }
        return $this->callNative($operation, $json);
    }

    /** `alphapo_client_call`, its out-parameters reused, and the Result of its response. */
    private function callNative(int $operation, string $json): Result
    {
        // fill() written out. The out-parameters are taken while in use, so a call made
        // meanwhile (from a signal handler) makes its own.
        [$out, $outAddress, $error, $errorAddress] = self::$idleSlots ?? self::callSlots();
        self::$idleSlots = null;
        $status = (int) Native::ffi()->alphapo_client_call(
            $this->handle ?? $this->handle(),
            $operation,
            $json,
            $outAddress,
            $errorAddress
        );
        Native::check($status, $error);
        $result = Result::fromNative($operation, $out);
        self::$idleSlots = [$out, $outAddress, $error, $errorAddress];
        return $result;
    }

    /**
     * The out-parameters of `alphapo_client_call`, each with its address.
     *
     * @return array{0: CData, 1: CData, 2: CData, 3: CData}
     */
    private static function callSlots(): array
    {
        $out = Native::slot('alphapo_response');
        $error = Native::slot('alphapo_error');
        return [$out, \FFI::addr($out), $error, \FFI::addr($error)];
    }

    /**
     * Like call(), but stops before sending. No network access.
     *
     * @param string|array<string, mixed> $request
     */
    public function prepare(int $operation, $request = '{}'): PreparedRequest
    {
        return PreparedRequest::fromNative(
            $operation,
            $this->fill('prepare', 'alphapo_prepared', self::uint32($operation, 'operation'), self::requestJson($request))
        );
    }

    /** Sends a prepared request (the same bytes on every retry) and decodes the reply. */
    public function send(PreparedRequest $prepared): Result
    {
        return CallLog::around($this->logger, CallLog::preparedRoute($prepared), function () use ($prepared): Result {
            return $this->sendUnlogged($prepared);
        });
    }

    private function sendUnlogged(PreparedRequest $prepared): Result
    {
        return Result::fromNative($prepared->operation, $this->fill('send', 'alphapo_response', $prepared->handle()));
    }

    /**
     * Decodes a reply your own HTTP client received for `$operation` (e.g.
     * `$prepared->operation`): a 2xx body becomes a Result, anything else the matching
     * exception (403: AuthenticationException, taken foreign_id: DuplicateForeignIdException...).
     */
    public static function decodeReply(int $operation, int $httpStatus, string $body): Result
    {
        if ($httpStatus < 0 || $httpStatus > 65535) {
            throw new InvalidArgumentException("HTTP status $httpStatus is out of range");
        }
        return Result::fromNative($operation, Result::decodeNative(self::uint32($operation, 'operation'), $httpStatus, $body));
    }

    public function __destruct()
    {
        if (isset($this->handle)) {
            Native::ffi()->alphapo_client_free($this->handle);
            $this->handle = null;
        }
    }

    /** The native handle has one owner: no clones (share the client instead). */
    private function __clone()
    {
    }

    public function __serialize(): array
    {
        throw new \LogicException('an AlphaPo\Client cannot be serialized');
    }

    public function __unserialize(array $data): void
    {
        throw new \LogicException('an AlphaPo\Client cannot be unserialized');
    }

    public function __debugInfo(): array
    {
        return ['secret' => '(hidden)'];
    }

    // ---- helpers ------------------------------------------------------------------------------

    private function handle(): CData
    {
        if ($this->handle === null) {
            throw new \LogicException('this client was not initialized');
        }
        return $this->handle;
    }

    /**
     * Calls `alphapo_client_<$function>(client, ...$arguments, &out, &err)`, throws its error
     * and returns `out`, the `<$outType>*` it filled (NULL where the function allows it).
     *
     * @param CData|string|int ...$arguments the arguments between the client and `out`
     */
    private function fill(string $function, string $outType, ...$arguments): CData
    {
        $client = $this->handle ?? $this->handle();
        $out = Native::slot($outType);
        // The `err` slot is reused: these functions set `*err` to NULL first.
        if (self::$error === null) {
            self::$error = Native::slot('alphapo_error');
            self::$errorAddress = \FFI::addr(self::$error);
        }
        $arguments[] = \FFI::addr($out);
        $arguments[] = self::$errorAddress;
        Native::check((int) Native::ffi()->{'alphapo_client_' . $function}($client, ...$arguments), self::$error);
        return $out;
    }

    /** @param string|array<string, mixed> $request */
    private static function requestJson($request): string
    {
        $json = is_array($request) ? Fields::encode($request) : $request;
        return Native::cString($json, 'the request JSON');
    }

    private static function genericJson(string $path, array $body, string $method): string
    {
        // The body is checked and encoded by Fields (floats refused); the library checks
        // the path and the method.
        $encodedBody = Fields::encode($body);
        return '{"method":' . json_encode($method, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES)
            . ',"path":' . json_encode($path, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES)
            . ',"body":' . $encodedBody . '}';
    }

    private static function uint32(int $value, string $what): int
    {
        if ($value < 0 || $value > 0xFFFFFFFF) {
            throw new InvalidArgumentException("$what $value is out of range");
        }
        return $value;
    }

    /** @param mixed $value */
    private static function string($value, string $what): string
    {
        if (!is_string($value)) {
            throw new InvalidArgumentException("$what must be a string, not " . Fields::typeName($value));
        }
        return $value;
    }

    /** @param mixed $value */
    private static function bool($value, string $what): bool
    {
        if (!is_bool($value)) {
            throw new InvalidArgumentException("$what must be a bool, not " . Fields::typeName($value));
        }
        return $value;
    }

    /**
     * Seconds (int or float) to whole milliseconds; 0 (keep the default) when not given.
     *
     * @param mixed $seconds
     */
    private static function milliseconds($seconds, string $what): int
    {
        if ($seconds === null) {
            return 0;
        }
        if (!is_int($seconds) && !is_float($seconds)) {
            throw new InvalidArgumentException("$what must be seconds as an int or a float");
        }
        $ms = (int) ceil($seconds * 1000);
        if (!is_finite((float) $seconds) || $seconds <= 0 || $ms > 0xFFFFFFFF) {
            throw new InvalidArgumentException("$what must be a positive number of seconds");
        }
        return $ms;
    }
}
