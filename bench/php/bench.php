<?php
/**
 * PHP side of `make bench`: the AlphaPo package against what a merchant writes by hand.
 *
 *   php bench/php/bench.php sign [--quick]
 *   php bench/php/bench.php invoices BASE_URL KEY SECRET [--quick]
 *   php bench/php/bench.php rss BASE_URL KEY SECRET [--quick]
 *
 * sign: AlphaPo\Signer->sign() against hash_hmac('sha512', $b, $k) on the same 300-byte
 * body. invoices: AlphaPo\Client->createInvoice() against a hand-written client (one curl
 * handle, so keep-alive; json_encode; hash_hmac; json_decode) sending the very same bytes to
 * the same sandbox, both warmed up, beside the floor (a raw socket writing presigned
 * requests) in the same rounds. rss: resident memory after the first 1 000 signatures
 * and invoices, and after 1 000 000 signatures and 100 000 invoices.
 *
 * Cases alternate round by round; each figure is the median round, each ratio the median
 * of the per-round ratios. One JSON object per figure on stdout, a summary on stderr.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/bindings/php/autoload.php';

const SECRET = 'sandbox-secret';

function emit(string $key, float $value, string $unit = ''): void
{
    echo json_encode(['key' => $key, 'value' => round($value, 3), 'unit' => $unit]), "\n";
}

function note(string $line): void
{
    fwrite(STDERR, $line . "\n");
}

/** @param list<float> $v */
function median(array $v): float
{
    sort($v);
    $n = count($v);
    return $n % 2 ? $v[intdiv($n, 2)] : ($v[$n / 2 - 1] + $v[$n / 2]) / 2;
}

/** @param list<float> $a @param list<float> $b */
function ratio(array $a, array $b): float
{
    $r = [];
    foreach ($a as $i => $x) {
        $r[] = $x / $b[$i];
    }
    return median($r);
}

function body300(): string
{
    $body = '{"timer":false,"title":"Order 1001","currency":"EUR","amount":106.75,'
        . '"foreign_id":"order-1001","end_user_reference":"customer-42",'
        . '"url_success":"https://shop.example.com/paid","url_failed":'
        . '"https://shop.example.com/failed","description":"';
    $body .= str_repeat('x', 298 - strlen($body)) . '"}';
    assert(strlen($body) === 300);
    return $body;
}

/**
 * @param array<string, callable(int): void> $cases
 * @return array<string, list<float>> ns per iteration, per round
 */
function rounds(array $cases, int $iters, int $rounds): array
{
    foreach ($cases as $fn) {
        $fn($iters); // warm-up
    }
    $samples = array_fill_keys(array_keys($cases), []);
    $names = array_keys($cases);
    for ($r = 0; $r < $rounds; $r++) {
        foreach ($r % 2 === 0 ? $names : array_reverse($names) as $name) {
            $t0 = hrtime(true);
            $cases[$name]($iters);
            $samples[$name][] = (hrtime(true) - $t0) / $iters;
        }
    }
    return $samples;
}

function benchSign(bool $quick): void
{
    $body = body300();
    $key = SECRET;
    $signer = new AlphaPo\Signer($key);
    $expected = hash_hmac('sha512', $body, $key);
    if ($signer->sign($body) !== $expected || AlphaPo\Signature::sign($key, $body) !== $expected) {
        throw new RuntimeException('signatures differ');
    }
    $ffi = AlphaPo\Internal\Native::ffi();
    // The floor of any binding over FFI: the library's hashing plus one bare FFI call
    // (arguments ready, output buffer made once), no PHP around it.
    $handle = $signer->handle();
    $out = $ffi->new('char[129]');
    $cases = [
        'signer' => function (int $n) use ($signer, $body): void {
            for ($i = 0; $i < $n; $i++) {
                $signer->sign($body);
            }
        },
        'hash_hmac' => function (int $n) use ($key, $body): void {
            for ($i = 0; $i < $n; $i++) {
                hash_hmac('sha512', $body, $key);
            }
        },
        'oneshot' => function (int $n) use ($key, $body): void {
            for ($i = 0; $i < $n; $i++) {
                AlphaPo\Signature::sign($key, $body);
            }
        },
        'raw_call' => function (int $n) use ($ffi, $handle, $body, $out): void {
            for ($i = 0; $i < $n; $i++) {
                $ffi->alphapo_signer_sign_chars($handle, $body, 300, $out, 129);
            }
        },
        // The floor of any FFI call: no argument, nothing done in the library.
        'ffi_floor' => function (int $n) use ($ffi): void {
            for ($i = 0; $i < $n; $i++) {
                $ffi->alphapo_version();
            }
        },
    ];
    $labels = [
        'signer' => 'AlphaPo\Signer->sign',
        'hash_hmac' => "hash_hmac('sha512', \$b, \$k)",
        'oneshot' => 'AlphaPo\Signature::sign (keys each time)',
        'raw_call' => 'bare FFI call of alphapo_signer_sign_chars',
        'ffi_floor' => 'an FFI call doing nothing (alphapo_version)',
    ];
    $s = rounds($cases, $quick ? 4000 : 20000, $quick ? 7 : 21);
    foreach ($s as $name => $values) {
        $m = median($values);
        note(sprintf('%-48s %8.0f ns', $labels[$name], $m));
        emit("php.sign300.{$name}_ns", $m, 'ns');
    }
    emit('php.sign300.ratio', ratio($s['signer'], $s['hash_hmac']), 'x');
}

/** The invoice fields every client of the benchmark sends. */
function fields(string $foreignId): array
{
    return [
        'timer' => false,
        'title' => 'Order 1001',
        'currency' => 'EUR',
        'amount' => '106.75',
        'foreign_id' => $foreignId,
        'end_user_reference' => 'customer-42',
        'url_success' => 'https://shop.example.com/paid',
        'url_failed' => 'https://shop.example.com/failed',
    ];
}

/** What a merchant writes without the library: one curl handle, json_encode, hash_hmac. */
final class HandWritten
{
    /** @var resource|\CurlHandle */
    private $curl;
    private string $key;
    private string $secret;

    public function __construct(string $baseUrl, string $key, string $secret)
    {
        $this->key = $key;
        $this->secret = $secret;
        $this->curl = curl_init();
        curl_setopt_array($this->curl, [
            CURLOPT_URL => $baseUrl . '/invoices/create',
            CURLOPT_POST => true,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 30,
        ]);
    }

    public function body(string $foreignId): string
    {
        $fields = fields($foreignId);
        $fields['amount'] = 106.75;
        return json_encode($fields, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    }

    /** @return array{0: string, 1: string} url and amount */
    public function createInvoice(string $foreignId): array
    {
        $body = $this->body($foreignId);
        curl_setopt_array($this->curl, [
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => [
                'X-Processing-Key: ' . $this->key,
                'X-Processing-Signature: ' . hash_hmac('sha512', $body, $this->secret),
                'Content-Type: application/json',
            ],
        ]);
        $reply = curl_exec($this->curl);
        $status = curl_getinfo($this->curl, CURLINFO_RESPONSE_CODE);
        if ($reply === false || $status !== 200) {
            throw new RuntimeException("HTTP $status: " . curl_error($this->curl) . ' ' . substr((string) $reply, 0, 200));
        }
        $data = json_decode($reply, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING)['data'];
        return [$data['url'], $data['amount']];
    }
}

/**
 * The floor for any PHP client: one keep-alive socket writing requests built and signed
 * before the clock starts, and only scanning the replies for their status and length. No
 * HTTP library, no JSON, no HMAC while timed.
 */
final class RawSocket
{
    /** @var resource */
    private $socket;
    private string $host;
    private string $path;
    private string $pending = '';
    private string $key;
    private string $secret;

    public function __construct(string $baseUrl, string $key, string $secret)
    {
        $this->key = $key;
        $this->secret = $secret;
        $url = parse_url($baseUrl);
        $this->host = $url['host'] . ':' . $url['port'];
        $this->path = $url['path'] . '/invoices/create';
        $context = stream_context_create(['socket' => ['tcp_nodelay' => true]]);
        $socket = stream_socket_client("tcp://{$this->host}", $errno, $error, 10, STREAM_CLIENT_CONNECT, $context);
        if ($socket === false) {
            throw new RuntimeException("connect: $error");
        }
        $this->socket = $socket;
    }

    /** @return list<string> */
    public function prebuild(HandWritten $hand, string $prefix, int $n): array
    {
        $out = [];
        for ($i = 0; $i < $n; $i++) {
            $body = $hand->body("$prefix-$i");
            $out[] = "POST {$this->path} HTTP/1.1\r\nHost: {$this->host}\r\n"
                . "Content-Type: application/json\r\nX-Processing-Key: {$this->key}\r\n"
                . 'X-Processing-Signature: ' . hash_hmac('sha512', $body, $this->secret) . "\r\n"
                . 'Content-Length: ' . strlen($body) . "\r\n\r\n" . $body;
        }
        return $out;
    }

    public function send(string $request): void
    {
        if (fwrite($this->socket, $request) !== strlen($request)) {
            throw new RuntimeException('short write');
        }
        $buf = $this->pending;
        while (true) {
            $end = strpos($buf, "\r\n\r\n");
            if ($end !== false) {
                $length = 0;
                if (preg_match('/\r\ncontent-length:\s*(\d+)/i', substr($buf, 0, $end), $m)) {
                    $length = (int) $m[1];
                }
                if (strlen($buf) >= $end + 4 + $length) {
                    if (substr($buf, 9, 3) !== '200') {
                        throw new RuntimeException(substr($buf, 0, 200));
                    }
                    $this->pending = (string) substr($buf, $end + 4 + $length);
                    return;
                }
            }
            $chunk = fread($this->socket, 65536);
            if ($chunk === false || $chunk === '') {
                throw new RuntimeException('connection closed');
            }
            $buf .= $chunk;
        }
    }
}

function sandboxReset(string $baseUrl): void
{
    $control = substr($baseUrl, 0, strrpos($baseUrl, '/api/v2')) . '/_sandbox/reset';
    $context = stream_context_create(['http' => [
        'method' => 'POST', 'header' => "Content-Type: application/json\r\n", 'content' => '{}', 'timeout' => 10,
    ]]);
    if (@file_get_contents($control, false, $context) === false) {
        throw new RuntimeException("POST $control failed");
    }
}

/** @return array{0: string, 1: string} url and amount */
function libCreate(AlphaPo\Client $client, string $foreignId): array
{
    $invoice = $client->createInvoice(fields($foreignId));
    return [$invoice->url, $invoice->amount];
}

function benchInvoices(string $baseUrl, string $key, string $secret, bool $quick): void
{
    $client = new AlphaPo\Client($key, $secret, ['baseUrl' => $baseUrl]);
    $hand = new HandWritten($baseUrl, $key, $secret);
    $raw = new RawSocket($baseUrl, $key, $secret);
    // Honest comparison: every client sends exactly the same bytes.
    $prepared = $client->prepareCreateInvoice(fields('same-bytes'));
    if ($prepared->body !== $hand->body('same-bytes')) {
        throw new RuntimeException("bodies differ:\n{$prepared->body}\n{$hand->body('same-bytes')}");
    }
    sandboxReset($baseUrl);
    for ($i = 0; $i < 300; $i++) {
        libCreate($client, "warm-lib-$i");
        $hand->createInvoice("warm-hand-$i");
    }
    foreach ($raw->prebuild($hand, 'warm-raw', 300) as $request) {
        $raw->send($request);
    }
    $seconds = $quick ? 0.5 : 1.5;
    $rounds = $quick ? 3 : 7;
    $names = ['lib', 'curl', 'raw'];
    $runs = [
        'lib' => fn (string $id) => libCreate($client, $id),
        'curl' => fn (string $id) => $hand->createInvoice($id),
    ];
    $ips = array_fill_keys($names, []);
    $lat = array_fill_keys($names, []);
    for ($r = 0; $r < $rounds; $r++) {
        foreach ($r % 2 === 0 ? $names : array_reverse($names) as $name) {
            sandboxReset($baseUrl); // each case starts empty: never near the object cap
            $ready = [];
            if ($name === 'raw') {
                $ready = $raw->prebuild($hand, "raw-$r", (int) (60_000 * $seconds));
            }
            $fn = $runs[$name] ?? null;
            $n = 0;
            $start = hrtime(true);
            $deadline = $start + $seconds * 1e9;
            $t = $start;
            while ($t < $deadline) {
                $t0 = $t;
                if ($fn !== null) {
                    $fn("$name-$r-$n");
                } elseif ($n < count($ready)) {
                    $raw->send($ready[$n]);
                } else {
                    break; // the prebuilt requests ran out: the round ends here
                }
                $t = hrtime(true);
                $lat[$name][] = ($t - $t0) / 1e3;
                $n++;
            }
            $ips[$name][] = $n / (($t - $start) / 1e9);
        }
    }
    foreach ($names as $name) {
        $values = $lat[$name];
        sort($values);
        $p50 = $values[intdiv(count($values), 2)];
        $p99 = $values[min(count($values) - 1, (int) (count($values) * 0.99))];
        $m = median($ips[$name]);
        note(sprintf('php %-5s: %8.0f invoices/s, p50 %7.1f us, p99 %7.1f us', $name, $m, $p50, $p99));
        emit("php.inv.{$name}_ips", $m, 'invoices/s');
        emit("php.inv.{$name}_p50_us", $p50, 'us');
        emit("php.inv.{$name}_p99_us", $p99, 'us');
    }
    emit('php.inv.ratio', ratio($ips['lib'], $ips['curl']), 'x');
    emit('php.inv.raw_ratio', ratio($ips['raw'], $ips['curl']), 'x');
}

function rssKib(): int
{
    foreach (file('/proc/self/status') as $line) {
        if (strncmp($line, 'VmRSS:', 6) === 0) {
            return (int) preg_split('/\s+/', trim($line))[1];
        }
    }
    throw new RuntimeException('no VmRSS');
}

function benchRss(string $baseUrl, string $key, string $secret, bool $quick): void
{
    $signatures = $quick ? 100_000 : 1_000_000;
    $invoices = $quick ? 10_000 : 100_000;
    $body = body300();
    $signer = new AlphaPo\Signer(SECRET);
    $client = new AlphaPo\Client($key, $secret, ['baseUrl' => $baseUrl]);
    sandboxReset($baseUrl);
    $made = 0;
    $batch = function (int $n) use (&$made, $client, $baseUrl): void {
        for ($i = 0; $i < $n; $i++) {
            if ($made > 0 && $made % 40_000 === 0) {
                sandboxReset($baseUrl); // stay below the sandbox's object cap
            }
            $made++;
            libCreate($client, "rss-$made");
        }
    };
    for ($i = 0; $i < 1000; $i++) {
        $signer->sign($body);
    }
    $batch(1000);
    $first = rssKib();
    for ($i = 1000; $i < $signatures; $i++) {
        $signer->sign($body);
    }
    $batch($invoices - 1000);
    $last = rssKib();
    note(sprintf('php RSS: %d KiB after 1 000, %d KiB after %d signatures and %d invoices (+%d KiB)',
        $first, $last, $signatures, $invoices, $last - $first));
    emit('php.rss.first_kib', $first, 'KiB');
    emit('php.rss.last_kib', $last, 'KiB');
    emit('php.rss.growth_kib', $last - $first, 'KiB');
}

$args = array_values(array_filter(array_slice($argv, 1), fn ($a) => $a !== '--quick'));
$quick = in_array('--quick', $argv, true);
$command = $args[0] ?? '';
if ($command === 'sign') {
    benchSign($quick);
} elseif ($command === 'invoices' && count($args) === 4) {
    benchInvoices($args[1], $args[2], $args[3], $quick);
} elseif ($command === 'rss' && count($args) === 4) {
    benchRss($args[1], $args[2], $args[3], $quick);
} else {
    fwrite(STDERR, "usage: php bench/php/bench.php sign|invoices|rss [BASE_URL KEY SECRET] [--quick]\n");
    exit(2);
}
