"""Speed and memory of `poe-checker check`: warm latency, throughput, cold start, peak RSS.

    python benchmarks/bench_check.py [--runs 50] [--json out.json]

Package measured: fixtures/packages/sow_email_pass (a dense 5-page SOW PDF plus one email),
the shape the core issue sets its targets on. Every figure is a median over several runs.

- warm: the whole pipeline (read, rules, verdict) in one warmed-up process, in-process reading.
- pdfplumber: the same pipeline with the PDF's words taken from pdfplumber's extract_words
  instead of our pypdfium2 extractor, side by side, to show what the extraction path costs.
- cold start: `poe-checker check ... --format json` as a fresh process, wall time.
- peak RSS: a fresh process checking every fixture package (maximum resident set size).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fixtures" / "packages" / "sow_email_pass"


def package_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name not in ("claim.json", "expected.json"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_pipeline(runs: int) -> list[float]:
    from poe_checker.claims import parse_claim
    from poe_checker.pipeline import check_paths

    claim = parse_claim((PACKAGE / "claim.json").read_bytes())
    files = package_files(PACKAGE)
    for _ in range(3):
        check_paths(claim, files)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        check_paths(claim, files)
        times.append(time.perf_counter() - start)
    return times


def pdfplumber_extract(data: bytes, limits):
    """The same Extraction, with words from pdfplumber's extract_words (for comparison only)."""
    import io

    import pdfplumber

    from poe_checker.extractors import Extraction
    from poe_checker.model import Page, Word

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words, parts, offset = [], [], 0
            for w in page.extract_words():
                words.append(Word(w["text"], offset, offset + len(w["text"]), (w["x0"], w["top"], w["x1"], w["bottom"])))
                parts.append(w["text"])
                offset += len(w["text"]) + 1
            pages.append(Page(number, " ".join(parts), tuple(words), float(page.width), float(page.height)))
        return Extraction(pages=tuple(pages), page_count=len(pdf.pages))


def time_with_pdfplumber(runs: int) -> list[float]:
    from poe_checker import extractors

    original = extractors.extractor_for
    extractors.extractor_for = lambda kind: pdfplumber_extract if kind == "pdf" else original(kind)
    import poe_checker.pipeline as pipeline

    pipeline.extractor_for = extractors.extractor_for
    try:
        return time_pipeline(runs)
    finally:
        extractors.extractor_for = original
        pipeline.extractor_for = original


def cold_starts(runs: int) -> list[float]:
    claim = PACKAGE / "claim.json"
    cmd = [sys.executable, "-m", "poe_checker.cli", "check", "--claim", str(claim), *map(str, package_files(PACKAGE)),
           "--format", "json"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


_RSS_PROBE = """
import sys
from pathlib import Path
from poe_checker.claims import parse_claim
from poe_checker.pipeline import check_paths
root = Path(sys.argv[1])
for folder in sorted(p for p in root.iterdir() if (p / "claim.json").is_file()):
    claim = parse_claim((folder / "claim.json").read_bytes())
    check_paths(claim, sorted(p for p in folder.iterdir() if p.name not in ("claim.json", "expected.json")))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so a probe started from a big
# parent would report the parent's peak.
status = open("/proc/self/status").read()
print(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))))
"""


def peak_rss_mb(runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(ROOT / "fixtures" / "packages")],
                              capture_output=True, text=True, check=True)
        out.append(int(done.stdout.strip().splitlines()[-1]) / 1024)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="warm runs per measurement")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    warm = time_pipeline(args.runs)
    plumber = time_with_pdfplumber(max(5, args.runs // 5))
    cold = cold_starts(5)
    rss = peak_rss_mb(3)
    figures = {
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "package": "sow_email_pass (5-page SOW PDF + 1 email)",
        "warm_p50_ms": statistics.median(warm) * 1e3,
        "warm_p95_ms": percentile(warm, 0.95) * 1e3,
        "packages_per_s": 1 / statistics.mean(warm),
        "pdfplumber_p50_ms": statistics.median(plumber) * 1e3,
        "speedup_vs_pdfplumber": statistics.median(plumber) / statistics.median(warm),
        "cold_start_ms": statistics.median(cold) * 1e3,
        "peak_rss_mb_all_fixtures": statistics.median(rss),
    }
    rows = [
        ("warm latency p50 (in-process, 5-page SOW + email)", f"{figures['warm_p50_ms']:.1f} ms", "<= 60 ms"),
        ("warm latency p95", f"{figures['warm_p95_ms']:.1f} ms", ""),
        ("throughput, one core", f"{figures['packages_per_s']:.1f} packages/s", ""),
        ("same package, PDF words from pdfplumber extract_words", f"{figures['pdfplumber_p50_ms']:.1f} ms", ""),
        ("speed-up over the pdfplumber path", f"{figures['speedup_vs_pdfplumber']:.1f}x", ">= 10x"),
        ("CLI cold start (fresh process, same package)", f"{figures['cold_start_ms']:.0f} ms", ""),
        ("peak RSS, all fixture packages in one process", f"{figures['peak_rss_mb_all_fixtures']:.0f} MB", "<= 300 MB"),
    ]
    print(f"| measure ({figures['machine']}) | median | target |\n| --- | --- | --- |")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
