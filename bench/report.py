"""Writes BENCHMARKS.md from the figures bench/run.sh collected.

    python3 bench/report.py RESULTS.jsonl META.json > BENCHMARKS.md

RESULTS.jsonl holds one {"key", "value", "unit"} object per line; a key measured in several
rounds appears several times and is reported as its median (and a ratio of two such keys
as the median of the per-round ratios).
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Callable, Dict, List, Optional, Tuple


def load(path: str) -> Dict[str, List[float]]:
    values: Dict[str, List[float]] = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            item = json.loads(line)
            values.setdefault(item["key"], []).append(float(item["value"]))
    return values


class Figures:
    def __init__(self, values: Dict[str, List[float]]) -> None:
        self.values = values

    def has(self, key: str) -> bool:
        return key in self.values

    def __getitem__(self, key: str) -> float:
        if key not in self.values:
            raise KeyError(f"no figure {key} in the results: did a benchmark fail?")
        return statistics.median(self.values[key])

    def paired_ratio(self, a: str, b: str) -> float:
        """The median of per-round ratios a/b (rounds interleaved in the same order)."""
        xs, ys = self.values[a], self.values[b]
        return statistics.median(x / y for x, y in zip(xs, ys))


def ns(v: float) -> str:
    return f"{v / 1000:.2f} µs" if v >= 1000 else f"{v:.0f} ns"


def rate(v: float) -> str:
    return f"{v:,.0f} invoices/s"


def kib(v: float) -> str:
    return f"{v:,.0f} KiB"


Row = Tuple[str, str, str, str, str, Optional[bool]]


def rows(f: Figures) -> List[Row]:
    """(what, measured, compared with, ratio, target, met) for every row of issue 7."""
    out: List[Row] = []

    def at_most(value: float, limit: float) -> bool:
        return value <= limit

    r = f["c.sign300.ratio"]
    out.append(
        (
            "sign a 300-byte body, C, pre-keyed signer (`alphapo_signer_sign`)",
            ns(f["c.sign300.signer_ns"]),
            f"OpenSSL `HMAC()` one-shot + hex: {ns(f['c.sign300.openssl_hmac_ns'])}",
            f"{r:.2f}×",
            "≤ 0.8× its time",
            at_most(r, 0.8),
        )
    )
    r = f["py.sign300.ratio"]
    out.append(
        (
            "sign a 300-byte body, Python `Signer.sign`",
            ns(f["py.sign300.signer_ns"]),
            f"`hmac.new(k, b, hashlib.sha512).hexdigest()`: {ns(f['py.sign300.hmac_ns'])}",
            f"{r:.2f}×",
            "≤ 0.6× its time",
            at_most(r, 0.6),
        )
    )
    r = f["php.sign300.ratio"]
    out.append(
        (
            "sign a 300-byte body, PHP `Signer->sign`",
            ns(f["php.sign300.signer_ns"]),
            f"`hash_hmac('sha512', $b, $k)`: {ns(f['php.sign300.hash_hmac_ns'])}",
            f"{r:.2f}×",
            "≤ 0.6× its time",
            at_most(r, 0.6),
        )
    )
    r = f.paired_ratio("c.sign1m.signer_round_mbps", "openssl.speed.sha512_mbps")
    out.append(
        (
            "sign a 1 MiB body, C",
            f"{f['c.sign1m.signer_round_mbps']:.0f} MB/s",
            f"`openssl speed -evp sha512 -bytes 1048576`: "
            f"{f['openssl.speed.sha512_mbps']:.0f} MB/s",
            f"{r:.2f}×",
            "≥ 0.85× its throughput",
            r >= 0.85,
        )
    )
    v = f["rust.invoice_work_ns"]
    out.append(
        (
            "library work per invoice, no network (validate, serialize, sign, decode a "
            "response; Rust bench)",
            ns(v),
            "—",
            "—",
            "≤ 10 µs median",
            at_most(v, 10_000),
        )
    )
    r = f["py.inv.ratio"]
    out.append(
        (
            "create_invoice on the loopback sandbox, keep-alive, one thread, Python",
            rate(f["py.inv.lib_ips"]),
            f"`requests.Session` + `hmac` by hand: {rate(f['py.inv.requests_ips'])}",
            f"{r:.2f}×",
            "≥ 2× its invoices/s",
            r >= 2,
        )
    )
    r = f["php.inv.ratio"]
    out.append(
        (
            "the same, PHP",
            rate(f["php.inv.lib_ips"]),
            f"`curl` + `hash_hmac` by hand: {rate(f['php.inv.curl_ips'])}",
            f"{r:.2f}×",
            "≥ 2× its invoices/s",
            r >= 2,
        )
    )
    out.append(
        (
            "the same, C",
            f"{rate(f['c.inv.ips'])}; p50 {f['c.inv.p50_us']:.0f} µs, "
            f"p99 {f['c.inv.p99_us']:.0f} µs",
            f"raw socket, prebuilt request (the floor): {rate(f['floor.raw_ips'])}",
            f"{f['c.inv.ips'] / f['floor.raw_ips']:.2f}× the floor",
            "report invoices/s and p50/p99 latency",
            None,
        )
    )
    threads = [1, 2, 4, 8]
    curve = ", ".join(f"{n}: {f[f'c.threads.{n}.ips']:,.0f}/s" for n in threads)
    errors = sum(f[f"c.threads.{n}.errors"] for n in threads)
    out.append(
        (
            "1, 2, 4, 8 threads sharing one client (C)",
            curve,
            "—",
            f"8 threads: {f['c.threads.8.ips'] / f['c.threads.1.ips']:.2f}× one thread",
            "report the curve; no errors",
            errors == 0,
        )
    )
    for lang, label in (("c", "C"), ("py", "Python"), ("php", "PHP")):
        g = f[f"{lang}.rss.growth_kib"]
        out.append(
            (
                f"RSS after 1 000 000 signatures and 100 000 invoices, {label}",
                kib(f[f"{lang}.rss.last_kib"]),
                f"after the first 1 000: {kib(f[f'{lang}.rss.first_kib'])}",
                f"+{g:,.0f} KiB",
                "growth ≤ 1 MiB",
                g <= 1024,
            )
        )
    out.append(
        (
            "stripped `libalphapo.so`; `dlopen` and the first signature",
            f"{f['lib.stripped_bytes'] / 1e6:.2f} MB stripped "
            f"({f['lib.size_bytes'] / 1e6:.2f} MB as built); "
            f"dlopen {f['lib.dlopen_us']:.0f} µs + first signature "
            f"{f['lib.first_signature_us']:.0f} µs = {f['lib.cold_total_us']:.0f} µs",
            "—",
            "—",
            "report",
            None,
        )
    )
    return out


def met_text(met: Optional[bool]) -> str:
    if met is None:
        return "reported"
    return "**yes**" if met else "**no**"


# Why a target is missed: what the profile shows. Each entry takes the figures and
# returns Markdown; it is printed only when its row misses its target.
def explain_python_sign(f: Figures) -> str:
    return (
        f"Python `Signer.sign` ({ns(f['py.sign300.signer_ns'])}) against `hmac.new` "
        f"({ns(f['py.sign300.hmac_ns'])}): the hashing itself is at the hardware limit (C "
        f"`alphapo_signer_sign`: {ns(f['c.sign300.signer_ns'])}, OpenSSL pre-keyed "
        f"{ns(f['c.sign300.openssl_prekeyed_ns'])}); the rest is the price of one ctypes call "
        f"(a call doing nothing costs {ns(f['py.sign300.ctypes_floor_ns'])}, and each "
        f"argument adds its conversion) and of turning 128 bytes into a `str`."
    )


def explain_php_sign(f: Figures) -> str:
    return (
        f"PHP `Signer->sign` ({ns(f['php.sign300.signer_ns'])}) against `hash_hmac` "
        f"({ns(f['php.sign300.hash_hmac_ns'])}): the hashing is at the hardware limit (C: "
        f"{ns(f['c.sign300.signer_ns'])}); an FFI call doing nothing costs "
        f"{ns(f['php.sign300.ffi_floor_ns'])}."
    )


def explain_big(f: Figures) -> str:
    return (
        f"1 MiB: the signer hashes at {f['c.sign1m.signer_round_mbps']:.0f} MB/s, OpenSSL at "
        f"{f['openssl.speed.sha512_mbps']:.0f} MB/s (`openssl speed`) and "
        f"{f['c.sign1m.evp_mbps']:.0f} MB/s (`EVP_Digest` in the same process)."
    )


def explain_invoice_work(f: Figures) -> str:
    return (
        f"Per invoice: validate + serialize + sign {ns(f['rust.invoice_prepare_ns'])}, decode "
        f"{ns(f['rust.invoice_decode_ns'])}."
    )


def explain_python_invoices(f: Figures) -> str:
    return (
        f"Python: {rate(f['py.inv.lib_ips'])} against {rate(f['py.inv.requests_ips'])}; the "
        f"floor of the sandbox is {rate(f['floor.raw_ips'])}."
    )


def explain_php_invoices(f: Figures) -> str:
    floor = f["floor.raw_ips"]
    curl = f["php.inv.curl_ips"]
    return (
        f"PHP: 2× the hand-written curl client would be {rate(2 * curl)}, but a client that "
        f"costs nothing at all — one raw keep-alive socket writing prebuilt requests "
        f"(`sandbox-bench --connections 1`) — gets {rate(floor)} from the same sandbox on the "
        f"same two cores: the target is {2 * curl / floor:.2f}× that floor, out of reach for "
        f"any client. curl is already at {curl / floor:.2f}× the floor. The library gets "
        f"{rate(f['php.inv.lib_ips'])} ({f['php.inv.lib_ips'] / floor:.2f}× the floor; C "
        f"without PHP: {rate(f['c.inv.ips'])})."
    )


EXPLAIN: Dict[int, Callable[[Figures], str]] = {
    1: explain_python_sign,
    2: explain_php_sign,
    3: explain_big,
    4: explain_invoice_work,
    5: explain_python_invoices,
    6: explain_php_invoices,
}


def details(f: Figures) -> List[str]:
    lines = ["## Every figure", "", "| key | median | unit |", "|---|---:|---|"]
    for key in sorted(f.values):
        values = f.values[key]
        lines.append(f"| `{key}` | {statistics.median(values):,.3f} | {len(values)} run(s) |")
    return lines


def main(results: str, meta_path: str) -> None:
    f = Figures(load(results))
    meta = json.load(open(meta_path))
    table = rows(f)
    print("# Benchmarks")
    print()
    print(
        "Generated by `make bench` (`bench/run.sh`, then `bench/report.py`); do not edit by "
        "hand. Every comparison ran side by side in one run on one machine: the cases "
        "alternate round by round, each figure is the median round and each ratio the "
        "median of the per-round ratios, so a noisy neighbour disturbs both sides alike."
    )
    print()
    print("## The machine and the run")
    print()
    print(f"- command: `{meta['command']}`, {meta['elapsed_s']} s, {meta['date']}")
    print(f"- commit: {meta['commit']}{' (with uncommitted changes)' if meta['dirty'] else ''}")
    print(f"- CPU: {meta['cpu']}, {meta['cores']} cores, {meta['memory']}; {meta['kernel']}")
    print(
        f"- load average (1, 5, 15 min) before: {meta['load_before']}, after: "
        f"{meta['load_after']}"
    )
    print(
        f"- {meta['rustc']}; gcc {meta['gcc']}; {meta['openssl']}; Python {meta['python']} "
        f"with requests {meta['requests']}; PHP {meta['php']} with curl {meta['php_curl']}"
    )
    if meta.get("quick"):
        print("- **quick run** (short rounds): a smoke test, not a measurement")
    print()
    print("## Results")
    print()
    print("| what | measured | compared with, in the same run | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    for what, measured, other, ratio, target, met in table:
        print(f"| {what} | {measured} | {other} | {ratio} | {target} | {met_text(met)} |")
    print()
    missed = [i for i, row in enumerate(table) if row[5] is False]
    print("## Targets missed, and why")
    print()
    if not missed:
        print("None.")
    for i in missed:
        explain = EXPLAIN.get(i)
        text = explain(f) if explain else "(no explanation recorded)"
        print(f"- **{table[i][0]}**: {text}")
        print()
    print()
    print("\n".join(details(f)))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
