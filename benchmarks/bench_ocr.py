"""OCR speed: seconds per A4 page at 300 dpi on one core, as the scanned-PDF path runs it.

    python benchmarks/bench_ocr.py [--runs 5] [--json out.json]

Pages measured (medians over ``--runs``):

- dense: a full A4 page of 10.5 pt text drawn at 300 dpi (52 lines of about 11 words, one-inch margins), read by
  ``poe_checker.ocr.read_image`` (skew check + one Tesseract pass; ``OMP_THREAD_LIMIT=1``).
- scan PDF pages: page 1 (scope, 15 lines) and page 2 (signature page) of fixtures/packages/scan_wet_pdf rendered by pypdfium2 at
  300 dpi and read, plus the ink search of its signature blocks: the whole per-page path.
- turned: the dense page turned 90°, which costs a failed read, orientation detection and a
  second read (the worst case for a page).

Tesseract runs one thread per page (OMP_THREAD_LIMIT=1), so figures are single-core. Both wall
time and CPU time (this process plus the Tesseract child) are printed: on a shared, busy machine
the CPU time is the honest one-core cost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["OMP_THREAD_LIMIT"] = "1"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = ("Fabrikam deploys Microsoft Intune and Defender for Endpoint for Contoso devices with Autopilot "
         "enrolment compliance policies configuration profiles BitLocker update rings pilot rollout waves").split()


def dense_page():
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    dpi = 300
    img = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, round(10.5 * dpi / 72))
    k = 0
    for row in range(52):  # 10.5 pt on 13.2 pt leading, one-inch margins: a full page of prose
        line = ""
        while draw.textlength(f"{line} {WORDS[k % len(WORDS)]}", font=font) < img.width - 2 * dpi:
            line = f"{line} {WORDS[k % len(WORDS)]}".strip()
            k += 1
        draw.text((dpi, dpi + row * 55), line, font=font, fill=0)
    return np.asarray(img)


def scan_pdf_page(index: int = 1):
    import pypdfium2

    from poe_checker.ocr import to_gray

    pdf = pypdfium2.PdfDocument((ROOT / "fixtures/packages/scan_wet_pdf/sow_scan.pdf").read_bytes())
    try:
        bitmap = pdf[index].render(scale=300 / 72, grayscale=True)
        return to_gray(bitmap.to_pil())
    finally:
        pdf.close()


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract runs as a child)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds per run. CPU time is the one-core cost even on a busy machine."""
    fn()  # warm: first Tesseract start loads its model from disk
    wall, cpu = [], []
    for _ in range(runs):
        start, c0 = time.perf_counter(), cpu_seconds()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - c0)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    import numpy as np

    from dataclasses import replace

    from poe_checker import ocr
    from poe_checker.extractors import inkmarks
    from poe_checker.reading import ink

    dense = dense_page()
    scan = scan_pdf_page()
    scope = scan_pdf_page(0)
    turned = np.ascontiguousarray(np.rot90(dense))
    pt = 72 / 300

    def scan_path():
        read = ocr.read_image(scan, number=2, pt_per_px=pt)
        ink.wet_signatures(replace(read.page, ink=inkmarks.measure(read)))

    results = {
        "dense A4 page, 300 dpi (s)": timed(lambda: ocr.read_image(dense, number=1, pt_per_px=pt), args.runs),
        "scanned PDF scope page (15 lines) (s)": timed(lambda: ocr.read_image(scope, number=1, pt_per_px=pt),
                                                       args.runs),
        "scanned PDF signature page, OCR + ink (s)": timed(scan_path, args.runs),
        "dense page turned 90 degrees (s)": timed(lambda: ocr.read_image(turned, number=1, pt_per_px=pt),
                                                  max(1, args.runs // 2)),
    }
    words = len(ocr.read_image(dense, number=1, pt_per_px=pt).page.words)
    print(f"tesseract {ocr.tesseract()}, OMP_THREAD_LIMIT=1, dense page: {words} words")
    summary = {}
    for name, (wall, cpu) in results.items():
        summary[name] = {"wall_median": statistics.median(wall), "cpu_median": statistics.median(cpu),
                         "wall_min": min(wall), "wall_max": max(wall), "runs": len(wall)}
        print(f"{name:45s} CPU median {statistics.median(cpu):.2f}  wall median {statistics.median(wall):.2f} "
              f"(min {min(wall):.2f}, max {max(wall):.2f})")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
