"""``nasbench-suite published [PROTOCOL ...] [--json]``: the published reference tables.

Prints each shipped table (citation, table number, protocol, how it was transcribed) and every
method's mean +- std per dataset; methods given by their published cells are looked up in the store.
"""

from __future__ import annotations

import argparse

from nasbench_suite.commands.common import add_store_option, print_json


def register(sub) -> None:
    cmd = sub.add_parser("published", help="print the published reference results the reports use")
    cmd.add_argument("protocol", nargs="*", help="nb201, nats_tss (default: all)")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    add_store_option(cmd)
    cmd.set_defaults(func=_published)


def _published(args: argparse.Namespace) -> int:
    from nasbench_suite.analysis.published import load_published
    from nasbench_suite.commands.common import load_store
    from nasbench_suite.errors import unknown

    known = load_published()
    names = args.protocol or list(known)
    bad = [n for n in names if n not in known]
    if bad:
        raise unknown("protocol", bad[0], list(known))
    tables = [known[n] for n in names]
    if any(t.needs_store for t in tables):
        store = load_store(args)
        tables = [t.with_store(store) for t in tables]
    if args.json:
        print_json({t.key: _as_json(t) for t in tables})
        return 0
    for t in tables:
        _print_table(t)
    return 0


def _as_json(t) -> dict:
    return {
        "citation": t.citation,
        "url": t.url,
        "table": t.table,
        "protocol": t.protocol,
        "runs": t.runs,
        "verification": t.verification,
        "methods": {
            m.name: {
                "strategy": m.strategy,
                "kind": m.kind,
                "values": None if m.values is None else {d: list(v) for d, v in m.values.items()},
                "source": m.source or None,
                "note": m.note or None,
                "setup_differs": m.setup_differs,
                "architectures": None
                if m.architectures is None
                else {d: list(a) for d, a in m.architectures.items()},
            }
            for m in t.methods
        },
    }


def _print_table(t) -> None:
    from nasbench_suite.analysis.published import format_pm

    print(f"== {t.key}: {t.table}")
    print(f"   {t.citation}")
    print(f"   protocol: {t.protocol}")
    print(f"   note: {t.verification}")
    datasets = sorted({d for m in t.methods for d in (m.values or m.architectures or {})})
    rows = [("method", "strategy", "kind", *datasets)]
    for m in t.methods:
        cells = [format_pm((m.values or {}).get(d)) for d in datasets]
        rows.append((m.shown_as, m.strategy or "-", m.kind, *cells))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("   " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for m in t.methods:
        if m.note:
            print(f"   {m.name}: {m.note}")
    print()

