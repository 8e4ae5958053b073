"""Previews: the worker's decode-and-render path vs `vipsthumbnail` vs naive Pillow, in one run.

Generates a 24 MP JPEG (6000 × 4000, photo-like: gradients and grain), a 12 MP PNG
(4000 × 3000) and a 20-page text PDF, then runs every (file, method) pair in a fresh
subprocess, alternated, `--rounds` times:

- `worker`: `chalicelib.services.preview_render.render` — what the previews worker does
  between the S3 download and the S3 upload: one decode (JPEG draft), both previews
  (640 and 160 px WebP);
- `vipsthumbnail`: libvips's CLI making the 640 px WebP (Debian `libvips-tools`, installed
  with apt-get when missing and we are root);
- `naive`: Pillow open, load, thumbnail(640), save WebP (images only).

Time: for the Python methods, measured inside the child around the work (imports done
first, as in a warm Lambda); for vipsthumbnail, the process's wall time (it has no warm
mode; its start-up, measured on a 16 px image, is printed alongside). Peak memory: the
child's `ru_maxrss` (from `os.wait4`), i.e. the whole process, interpreter included (the parent
stays small and makes the fixtures in a child too: Linux carries a parent's peak into the
`ru_maxrss` of the children it starts).

Budget (ARCHITECTURE.md): the 24 MP JPEG no slower than vipsthumbnail, peak memory under
64 MB. Exit code 1 when over budget.

    .venv/bin/python bench/previews.py [--rounds 5] [--at-cap]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MB = 64
FILES = {"jpeg-24mp": ("photo.jpg", "image"), "png-12mp": ("scan.png", "image"), "pdf-20-pages": ("report.pdf", "pdf")}
# `--at-cap`: images just under the 50 MP pixel cap in the formats that cannot be decoded
# reduced (what sizes the worker's Lambda memory).
AT_CAP = {"rgba-png-50mp": ("cap_rgba.png", "image"), "palette-png-50mp": ("cap_palette.png", "image"),
          "16bit-png-50mp": ("cap_16bit.png", "image")}
METHODS = ("worker", "vipsthumbnail", "naive")


# --- fixtures ------------------------------------------------------------------------------


def photo(width: int, height: int) -> Any:
    """Photo-like content: colour gradients, coarse structure and fine grain (flat colour would
    compress and decode unrealistically fast)."""
    from PIL import Image

    size = (width, height)
    gradients = [Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size),
                 Image.linear_gradient("L").rotate(90).resize(size)]
    coarse = Image.effect_noise((width // 4, height // 4), 60).resize(size, Image.Resampling.BICUBIC)
    grain = Image.blend(coarse, Image.effect_noise(size, 25), 0.4)
    return Image.blend(Image.merge("RGB", gradients), Image.merge("RGB", [grain] * 3), 0.5)


def text_pdf(pages: int) -> bytes:
    """A `pages`-page A4 report (text, rules, a shaded header): vector content, like invoices."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for number in range(1, pages + 1):
        lines = [b"0.2 0.3 0.6 rg 40 760 515 50 re f",
                 b"BT /F1 22 Tf 1 1 1 rg 52 778 Td (Quarterly report, page %d) Tj ET" % number]
        for row in range(48):
            y = 730 - row * 14
            lines.append(b"0.85 g 40 %d 515 0.5 re f" % (y - 4))
            lines.append(b"BT /F1 9 Tf 0 g 44 %d Td (Line %d.%d  Consulting services, phase %d  %d.00 EUR) Tj ET"
                         % (y, number, row, row % 7, 100 + row * 13))
        stream = b"\n".join(lines)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_ref = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % content_ref)
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_fixtures(folder: Path, at_cap: bool) -> None:
    from PIL import Image

    photo(6000, 4000).save(folder / "photo.jpg", quality=90)
    photo(4000, 3000).save(folder / "scan.png", compress_level=6)
    (folder / "report.pdf").write_bytes(text_pdf(20))
    Image.new("RGB", (16, 16), "red").save(folder / "tiny.jpg")
    if at_cap:
        size = (7000, 7100)  # 49.7 MP
        grey = Image.linear_gradient("L").resize(size)
        Image.merge("RGBA", [grey, grey.rotate(90), grey, grey]).save(folder / "cap_rgba.png", compress_level=1)
        grey.convert("P").save(folder / "cap_palette.png", transparency=0, compress_level=1)
        Image.new("I;16", size, 30000).save(folder / "cap_16bit.png", compress_level=1)


# --- children ----------------------------------------------------------------------------


def child(method: str, path: str, kind: str) -> None:
    """Run one method on one file in this (fresh) process; print the work's seconds as JSON."""
    sys.path.insert(0, str(ROOT))
    if method == "worker":
        from chalicelib.services.delivery.previews import render as preview_render

        preview_render._pil()
        if kind == "pdf":
            import pypdfium2  # noqa: F401 - imported before timing, as in a warm Lambda
        started = time.perf_counter()
        with open(path, "rb") as source:
            rendered = preview_render.render(source, kind)
        seconds = time.perf_counter() - started
        assert len(rendered.previews) == 2
    elif method == "naive":
        from PIL import Image

        started = time.perf_counter()
        with Image.open(path) as im:
            im.load()
            im.thumbnail((640, 640))
            im.save(io.BytesIO(), "WEBP", quality=80)
        seconds = time.perf_counter() - started
    elif method == "fixtures":
        make_fixtures(Path(path), kind == "at-cap")
        seconds = 0.0
    elif method == "idle":
        from chalicelib.services.delivery.previews import render as preview_render

        preview_render._pil()
        seconds = 0.0
    else:
        raise SystemExit(f"unknown method {method}")
    print(json.dumps({"seconds": seconds}))


def measure(command: list[str], python_child: bool) -> tuple[float, float]:
    """(seconds, peak MB) of one subprocess."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed: {err.strip()[-500:]}")
    seconds = json.loads(out.strip().splitlines()[-1])["seconds"] if python_child else wall
    return seconds, usage.ru_maxrss / 1024


def vipsthumbnail() -> str | None:
    found = shutil.which("vipsthumbnail")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing libvips-tools (apt-get) …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "libvips-tools"], check=False, env=env, capture_output=True)
    return shutil.which("vipsthumbnail")


def command(method: str, path: Path, kind: str, vips: str | None, out: Path) -> tuple[list[str], bool] | None:
    if method == "vipsthumbnail":
        return ([vips, str(path), "--size", "640", "-o", f"{out}/%s_640.webp[Q=80]"], False) if vips else None
    if method == "naive" and kind == "pdf":
        return None  # Pillow cannot read PDFs
    return [sys.executable, __file__, "--child", method, str(path), kind], True


# --- main --------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--at-cap", action="store_true", help="also 50 MP RGBA, palette and 16-bit PNGs")
    parser.add_argument("--child", nargs=3, metavar=("METHOD", "PATH", "KIND"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    vips = vipsthumbnail()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # In a child: a parent that grew to hundreds of MB would pass its peak on to every child it
        # starts (Linux carries ru_maxrss across fork and exec).
        files = FILES | (AT_CAP if args.at_cap else {})
        measure([sys.executable, __file__, "--child", "fixtures", str(folder), "at-cap" if args.at_cap else "-"], True)
        paths = {name: folder / filename for name, (filename, _) in files.items()}
        print("fixtures: " + ", ".join(f"{name} {paths[name].stat().st_size / 1e6:.1f} MB" for name in paths))
        samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
        failures: dict[tuple[str, str], str] = {}
        runs = [(name, method) for name in files for method in METHODS]
        for round_number in range(args.rounds + 1):  # round 0 warms the file cache and .pyc files
            for name, method in runs:
                planned = command(method, paths[name], files[name][1], vips, folder)
                if planned is None:
                    continue
                try:
                    result = measure(*planned)
                except RuntimeError as e:
                    failures[(name, method)] = str(e).strip().splitlines()[-1][-80:]
                    continue
                if round_number:
                    samples.setdefault((name, method), []).append(result)
        idle = measure([sys.executable, __file__, "--child", "idle", "-", "image"], True)[1]
        vips_start = statistics.median(
            measure([vips, str(folder / "tiny.jpg"), "-o", f"{folder}/%s_t.webp"], False)[0] for _ in range(5)
        ) if vips else None
    return report(samples, failures, files, args.rounds, idle, vips_start, vips)


def report(samples: dict[tuple[str, str], list[tuple[float, float]]], failures: dict[tuple[str, str], str],
           files: dict[str, Any], rounds: int, idle: float, vips_start: float | None, vips: str | None) -> int:
    print(f"rounds: {rounds} (fresh process each, alternated); medians")
    print(f"{'file':<17}{'method':<15}{'time':>10}{'peak mem':>11}{'time / vips':>13}{'mem / vips':>12}")
    for name in files:
        base = samples.get((name, "vipsthumbnail"))
        base_time = statistics.median(s[0] for s in base) if base else None
        base_mem = statistics.median(s[1] for s in base) if base else None
        for method in METHODS:
            found = samples.get((name, method))
            if not found:
                why = failures.get((name, method))
                print(f"{name:<17}{method:<15}{'fails: ' + why if why else 'n/a':>10}")
                continue
            seconds, memory = statistics.median(s[0] for s in found), statistics.median(s[1] for s in found)
            ratios = (f"{seconds / base_time:>13.2f}{memory / base_mem:>12.2f}" if base_time and base_mem else "")
            print(f"{name:<17}{method:<15}{seconds * 1000:>8.0f}ms{memory:>8.1f} MB{ratios}")
    print(f"python + Pillow imported, nothing decoded: {idle:.1f} MB peak"
          + (f"; vipsthumbnail start-up (16 px image): {vips_start * 1000:.0f} ms" if vips_start else ""))
    worker = samples[("jpeg-24mp", "worker")]
    worker_time, worker_mem = statistics.median(s[0] for s in worker), max(s[1] for s in worker)
    vips_samples = samples.get(("jpeg-24mp", "vipsthumbnail"))
    if not vips or not vips_samples:
        print("vipsthumbnail unavailable: the time budget is not checked")
        return 0 if worker_mem < BUDGET_MB else 1
    vips_time = statistics.median(s[0] for s in vips_samples)
    ok = worker_time <= vips_time and worker_mem < BUDGET_MB
    print(f"budget (24 MP JPEG): worker {worker_time * 1000:.0f} ms vs vipsthumbnail {vips_time * 1000:.0f} ms, "
          f"worker peak {worker_mem:.1f} MB (< {BUDGET_MB} MB) -> {'OK' if ok else 'OVER BUDGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
