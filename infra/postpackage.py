"""After `chalice package`: make deployment.zip what Lambda should cold-start from.

1. Drop boto3/botocore/s3transfer. The python3.11 runtime ships them in /var/runtime, which
   comes after /var/task on sys.path, so a copy in the zip shadows the runtime's. Chalice's
   packager bundles botocore because PynamoDB and aws-xray-sdk declare it as a dependency
   (requirements.txt lists neither boto3 nor botocore), so the zip held a botocore a few
   releases apart from the runtime's boto3, and cold starts read 2,000 more files from the
   zip's folder. The zip's other botocore dependencies (jmespath, dateutil, urllib3, six) stay:
   requests/stripe use urllib3, and they are small.
2. Add bytecode: every .py compiled to `__pycache__/*.cpython-311.pyc` as *unchecked-hash*
   pycs, which Python loads without comparing the source's mtime or size (the folder Lambda
   unzips into is read-only, so without them every cold start compiles every module again).

    python infra/postpackage.py build/package/dev/deployment.zip [--keep-botocore] [--no-bytecode]

The zip is rewritten in place. `make package` and infra/deploy.sh run this, so the deployed
zip is the one bench/cold_start.py measures.
"""
from __future__ import annotations

import argparse
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

# Top-level names in the zip that the Lambda runtime provides itself (with their dist-info).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
# Bytecode for the runtime Lambda runs: the tag must match it (cpython-311 for python3.11).
LAMBDA_CACHE_TAG = "cpython-311"


def runtime_provided(name: str) -> bool:
    """Whether the zip member `name` belongs to a package the runtime ships."""
    top = name.split("/", 1)[0]
    package = top.split("-", 1)[0] if top.endswith(".dist-info") else top
    return package in RUNTIME_PROVIDED


def _pyc_name(source: str) -> str:
    folder, _, file = source.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{LAMBDA_CACHE_TAG}.pyc"


def _source_of(pyc: str) -> str | None:
    """`pkg/mod.py` for `pkg/__pycache__/mod.<tag>.pyc` (None for anything else)."""
    folder, _, file = pyc.rpartition("/")
    if not (folder == "__pycache__" or folder.endswith("/__pycache__")) or not file.endswith(".pyc"):
        return None
    parent = folder[: -len("__pycache__")]
    return f"{parent}{file.split('.', 1)[0]}.py"


def _compile(source_name: str, source: bytes, work: Path) -> bytes | None:
    """`source` as an unchecked-hash pyc, or None when it does not compile (e.g. a py2-only
    template file a package ships as data): Python then compiles it itself, as before."""
    src, out = work / "module.py", work / "module.pyc"
    src.write_bytes(source)
    try:
        py_compile.compile(str(src), cfile=str(out), dfile=source_name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError:
        return None
    return out.read_bytes()


def postprocess(zip_path: Path, strip: bool = True, bytecode: bool = True) -> dict[str, int]:
    """Rewrite `zip_path`; returns counts of what was dropped and compiled."""
    if bytecode and sys.implementation.cache_tag != LAMBDA_CACHE_TAG:
        raise SystemExit(f"postpackage: bytecode must be made by Python 3.11 (Lambda's runtime), "
                         f"not {sys.implementation.cache_tag}")
    counts = {"dropped": 0, "compiled": 0, "kept": 0}
    with tempfile.TemporaryDirectory() as tmp:
        work, rewritten = Path(tmp), Path(tmp) / "out.zip"
        with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as out:
            names = set(source.namelist())
            for info in source.infolist():
                if strip and runtime_provided(info.filename):
                    counts["dropped"] += 1
                    continue
                if bytecode and _source_of(info.filename) in names:
                    continue  # bytecode chalice copied from a work tree (timestamp pycs): ours replace it
                data = source.read(info)
                out.writestr(info, data)
                counts["kept"] += 1
                pyc = _pyc_name(info.filename)
                if bytecode and info.filename.endswith(".py"):
                    compiled = _compile(info.filename, data, work)
                    if compiled is not None:
                        entry = zipfile.ZipInfo(pyc, date_time=info.date_time)
                        entry.external_attr = 0o644 << 16  # readable once unzipped
                        out.writestr(entry, compiled, zipfile.ZIP_DEFLATED)
                        counts["compiled"] += 1
        rewritten.replace(zip_path)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zip", type=Path)
    parser.add_argument("--keep-botocore", action="store_true", help="leave boto3/botocore/s3transfer in the zip")
    parser.add_argument("--no-bytecode", action="store_true", help="add no .pyc files")
    args = parser.parse_args()
    counts = postprocess(args.zip, strip=not args.keep_botocore, bytecode=not args.no_bytecode)
    print(f"postpackage: {args.zip}: dropped {counts['dropped']} runtime-provided files "
          f"(boto3/botocore/s3transfer), added {counts['compiled']} .pyc, kept {counts['kept']} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
