"""``nasbench-suite data build|verify``: build the NB201 store from raw or official files."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasbench_suite.commands.common import add_store_option, print_json


def register(sub) -> None:
    data = sub.add_parser("data", help="build or verify the NB201 store")
    dsub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    build = dsub.add_parser("build", help="build the store from raw sources or official files")
    build.add_argument("--raw", type=Path, default=None, help="raw-source folder (default: $NASBENCH_SUITE_RAW or ../shared/nb201)")
    build.add_argument("--out", type=Path, default=None, help="store folder to write (default: data/nb201-store)")
    build.add_argument("--official", type=Path, default=None, help="official NAS-Bench-201 .pth or NATS-Bench TSS file/folder")
    build.set_defaults(func=_build)
    verify = dsub.add_parser("verify", help="re-check checksums and invariants of the store")
    add_store_option(verify)
    verify.add_argument("--raw", type=Path, default=None, help="also re-check this raw folder")
    verify.add_argument("--json", action="store_true", help="print the summary as JSON")
    verify.set_defaults(func=_verify)


def _build(args: argparse.Namespace) -> int:
    import time

    from nasbench_suite.bench.store import check_store_target
    from nasbench_suite.errors import DataError
    from nasbench_suite.paths import default_raw_dir, default_store_dir

    out = args.out or default_store_dir()
    check_store_target(out)  # before any work: never over a folder the suite did not write
    start = time.perf_counter()
    if args.official is not None:
        from nasbench_suite.bench.official import build_from_official

        build_from_official(args.official, out, raw=args.raw or default_raw_dir())
    else:
        raw = args.raw or default_raw_dir()
        if raw is None:
            raise DataError("no raw sources found; pass --raw DIR or set $NASBENCH_SUITE_RAW")
        from nasbench_suite.bench.build import build_from_raw

        build_from_raw(raw, out)
    print(f"built store {out} in {time.perf_counter() - start:.1f} s")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from nasbench_suite.bench.build import verify_store
    from nasbench_suite.paths import default_raw_dir

    summary = verify_store(args.store, raw=args.raw or default_raw_dir())
    if args.json:
        print_json(summary)
    else:
        print(f"store {summary['store']} OK: {summary['cells']} cells, {summary['iso_classes']} "
              f"isomorphism classes, published optima reproduced, checksum {summary['arrays_sha256'][:12]}")
        if "raw_files_checked" in summary:
            print(f"raw sources OK: {summary['raw_files_checked']} files match the checksums shipped with the suite")
            if summary["columns_recomputed"]:
                print("every store column recomputed from the raw sources: identical")
            else:
                print("store not built from the raw sources: its columns were not recomputed")
    return 0
