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
3. Precompile the client pages' Jinja2 templates (`chalicelib/templates`) into Python modules
   under `chalicelib/templates_compiled/` (compiled to bytecode like the rest), with the app's
   own environment options (`chalicelib/api/templating.py`); in Lambda the app loads them with
   Jinja2's `ModuleLoader` instead of lexing, parsing and compiling each page on a cold start.

    python infra/postpackage.py build/package/dev/deployment.zip [--keep-botocore] [--no-bytecode]
                                [--no-precompiled-templates]

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
TEMPLATES_IN_ZIP = "chalicelib/templates/"
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


def compiled_templates(source: zipfile.ZipFile, work: Path) -> dict[str, bytes]:
    """The zip's page templates compiled by Jinja2 with the app's options: zip name → module source."""
    import jinja2

    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:  # run as a script: the work tree's chalicelib holds the options
        sys.path.insert(0, root)
    from chalicelib.api import templating

    sources, target = work / "templates", work / "templates_compiled"
    for name in source.namelist():
        if name.startswith(TEMPLATES_IN_ZIP) and not name.endswith("/"):
            (sources / name[len(TEMPLATES_IN_ZIP):]).parent.mkdir(parents=True, exist_ok=True)
            (sources / name[len(TEMPLATES_IN_ZIP):]).write_bytes(source.read(name))
    target.mkdir()
    # ignore_errors=False: a template that does not compile fails the package, not a cold start.
    templating.environment(jinja2.FileSystemLoader(str(sources))).compile_templates(
        str(target), zip=None, ignore_errors=False, log_function=None)
    return {f"chalicelib/{templating.COMPILED_FOLDER}/{path.name}": path.read_bytes()
            for path in sorted(target.glob("*.py"))}


def _add(out: zipfile.ZipFile, name: str, data: bytes, date_time: tuple[int, ...]) -> None:
    entry = zipfile.ZipInfo(name, date_time=date_time)  # type: ignore[arg-type]
    entry.external_attr = 0o644 << 16  # readable once unzipped
    out.writestr(entry, data, zipfile.ZIP_DEFLATED)


def postprocess(zip_path: Path, strip: bool = True, bytecode: bool = True, templates: bool = True) -> dict[str, int]:
    """Rewrite `zip_path`; returns counts of what was dropped, compiled and added."""
    if bytecode and sys.implementation.cache_tag != LAMBDA_CACHE_TAG:
        raise SystemExit(f"postpackage: bytecode must be made by Python 3.11 (Lambda's runtime), "
                         f"not {sys.implementation.cache_tag}")
    counts = {"dropped": 0, "compiled": 0, "kept": 0, "templates": 0}
    with tempfile.TemporaryDirectory() as tmp:
        work, rewritten = Path(tmp), Path(tmp) / "out.zip"
        with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as out:
            names = set(source.namelist())
            # Read before the copy below: writing a member to `out` moves its ZipInfo's offset.
            pages = compiled_templates(source, work) if templates else {}
            stamp = source.infolist()[0].date_time if names else (1980, 1, 1, 0, 0, 0)
            for info in source.infolist():
                if strip and runtime_provided(info.filename):
                    counts["dropped"] += 1
                    continue
                if bytecode and _source_of(info.filename) in names:
                    continue  # bytecode chalice copied from a work tree (timestamp pycs): ours replace it
                data = source.read(info)
                out.writestr(info, data)
                counts["kept"] += 1
                counts["compiled"] += _add_bytecode(out, info.filename, data, info.date_time, work) if bytecode else 0
            for name, data in pages.items():
                _add(out, name, data, stamp)
                counts["templates"] += 1
                counts["compiled"] += _add_bytecode(out, name, data, stamp, work) if bytecode else 0
        rewritten.replace(zip_path)
    return counts


def _add_bytecode(out: zipfile.ZipFile, name: str, data: bytes, date_time: tuple[int, ...], work: Path) -> int:
    """Add the pyc of the module `name` (1), or nothing for other files and uncompilable sources (0)."""
    compiled = _compile(name, data, work) if name.endswith(".py") else None
    if compiled is None:
        return 0
    _add(out, _pyc_name(name), compiled, date_time)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zip", type=Path)
    parser.add_argument("--keep-botocore", action="store_true", help="leave boto3/botocore/s3transfer in the zip")
    parser.add_argument("--no-bytecode", action="store_true", help="add no .pyc files")
    parser.add_argument("--no-precompiled-templates", action="store_true", help="ship the Jinja2 templates as sources only")
    args = parser.parse_args()
    counts = postprocess(args.zip, strip=not args.keep_botocore, bytecode=not args.no_bytecode,
                         templates=not args.no_precompiled_templates)
    print(f"postpackage: {args.zip}: dropped {counts['dropped']} runtime-provided files "
          f"(boto3/botocore/s3transfer), added {counts['compiled']} .pyc and {counts['templates']} precompiled "
          f"templates, kept {counts['kept']} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
