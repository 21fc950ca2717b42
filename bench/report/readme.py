"""usage: readme.py [--update README] RESULTS_DIR STAMP

The top-level README's results block for run STAMP of bench/run.sh: one table, a row per
load of every scenario in the run — coring's req/s and server CPU µs per request, the
best peer's, the ratio, and the floor's — then the posts writes and idle memory lines
from their reports, the chart, and the files it all came from. Printed, or written
between the `<!-- results:begin` and `<!-- results:end -->` lines of README with
--update. Every figure comes from the result files alone."""

import re
import statistics
import sys
from pathlib import Path

from results import (LATENCY_ONLY_FLOORS, SEQUENTIAL, context, per_round_ratios, ratio,
                     read_scenario, runs)

OURS = "coring"
# Servers that are neither ours nor a peer: the path without a proxy, and the floors.
NOT_PEERS = ("direct",)
FLOOR_PREFIXES = ("uring-floor", "epoll-floor", "floor-")
# Scenarios whose table is too long for the README: the loads it shows (the rest, and
# the posts writes, are in the scenario's own report; the writes get a line of their own).
README_LOADS = {"posts": ("wrk-c50", "wrk-c1000", "wrk-c10000", "wrk-c30000")}


def is_floor(server):
    return server.startswith(FLOOR_PREFIXES)


def is_ours(server):
    return server == OURS or server.startswith(OURS + "-")


def figure(scenario, load, server):
    """(figure, req/s) of a server in a load; lower figure is better."""
    cell = scenario.cell(load, server)
    if cell is None:
        return None, None
    rps = cell.median("rps")
    if SEQUENTIAL.search(load):
        return (1e6 / rps if rps else None), rps
    return cell.median("cpu"), rps


def best(scenario, load, servers):
    scored = [(figure(scenario, load, s)[0], s) for s in servers]
    scored = [(f, s) for f, s in scored if f is not None]
    return min(scored) if scored else (None, None)


def round_ratio(scenario, load, ours, other):
    """The median over rounds of ours' figure ÷ other's, each round's pair measured side
    by side: steadier than the ratio of two medians taken from different rounds."""
    if SEQUENTIAL.search(load):
        mine, theirs = scenario.cell(load, ours).rps, scenario.cell(load, other).rps
        pairs = [t / m for m, t in zip(mine, theirs) if m and t]  # µs per request = 10^6 ÷ req/s
    else:
        pairs = per_round_ratios(scenario, load, ours, other)
    return statistics.median(pairs) if pairs else None


def ratio_cell(scenario, load, ours, mine, other, theirs):
    rounds = round_ratio(scenario, load, ours, other)
    return f"{ratio(mine, theirs):.2f}×" + (f" ({rounds:.2f})" if rounds is not None else "")


def row(scenario, load):
    ours = scenario.ours(load, OURS)
    if ours is None:
        return None
    mine, mine_rps = figure(scenario, load, ours)
    peers = [s for s in scenario.servers
             if not is_ours(s) and not is_floor(s) and s not in NOT_PEERS]
    peer_figure, peer = best(scenario, load, peers)
    floors = [s for s in scenario.servers if is_floor(s)
              and (SEQUENTIAL.search(load) or s not in LATENCY_ONLY_FLOORS)]
    floor_figure, floor = best(scenario, load, floors)
    unit = "µs/req (latency)" if SEQUENTIAL.search(load) else "CPU µs/req"
    name = f"{scenario.name} {load}" + ("" if ours == OURS else f" ({ours})")
    cells = [name, unit, f"{mine_rps / 1000:,.1f}k · **{mine:.2f}**"]
    if peer:
        peer_rps = figure(scenario, load, peer)[1]
        cells += [f"{peer}: {peer_rps / 1000:,.1f}k · {peer_figure:.2f}",
                  ratio_cell(scenario, load, ours, mine, peer, peer_figure)]
    else:
        cells += ["—", "—"]
    cells += [f"{floor}: {floor_figure:.2f}" if floor else "—",
              ratio_cell(scenario, load, ours, mine, floor, floor_figure) if floor else "—"]
    return "| " + " | ".join(cells) + " |"


def note_lines(md_path, starts):
    """The lines of a report's notes that start with one of `starts`."""
    text = md_path.read_text(encoding="utf-8").splitlines()
    return [line for line in text if line.startswith(starts)]


def writes_line(md_path):
    """posts' write rows and the disk's fdatasync floor, from the posts report."""
    rows = [m for m in (re.match(r"^\| post-c(\d+) \| (\d+) \| \d+ \| ([\d.]+) \| (\d+) µs",
                                 line) for line in note_lines(md_path, ("| post-c",))) if m]
    floor = [(int(m.group(1)), float(m.group(2)))
             for line in note_lines(md_path, ("for the sync: ",))
             for m in re.finditer(r"per_s=(\d+) avg_us=([\d.]+)", line)]
    parts = [f"{int(m.group(2)):,} posts/s at {m.group(1)} connection(s) ({m.group(3)} per sync, "
             f"{m.group(4)} µs average)" for m in rows]
    text = "posts writes, each acknowledged after its fdatasync: " + "; ".join(parts) + "."
    if floor:
        per_s = statistics.median(rate for rate, _ in floor)
        avg_us = statistics.median(us for _, us in floor)
        text += (f" This disk's floor in the same run, on the server's CPU (median of {len(floor)}): "
                 f"{per_s:,.0f} sequential 1 KB append + fdatasync per second ({avg_us:.0f} µs each).")
    return text


def block(results_dir, stamp):
    files = runs(results_dir).get(stamp)
    if files is None:
        print(f"readme.py: no run {stamp} in {results_dir}", file=sys.stderr)
        sys.exit(2)
    lines = [
        "| load | figure | coring (req/s · figure) | best peer | coring ÷ best (per round) | floor | coring ÷ floor (per round) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, tsv in files["tsv"].items():
        scenario = read_scenario(tsv, name)
        if scenario is None:
            continue
        loads = [load for load in scenario.loads if load in README_LOADS.get(name, (load,))]
        lines += [r for r in (row(scenario, load) for load in loads) if r]
    ctx = context(next(iter(files["md"].values())))
    method = re.search(r"(\d+) round\(s\) of (\d+) s", ctx.get("method", ""))
    rounds = f"{method.group(1)} rounds of {method.group(2)} s" if method else "rounds"
    out = [f"`scripts/bench.sh` → `bench/results/{stamp}-*.md` (every server, every round); "
           f"medians of {rounds}, servers alternating; lower figure is better; a ratio is of the medians, "
           f"and in brackets the median of its per-round ratios; 0 errors unless a report says "
           f"otherwise. Machine: {ctx.get('CPU', '?')}, {ctx.get('kernel', '?')}; server "
           "on CPU 0, load on CPU 1.", ""] + lines
    if "posts" in files["md"]:
        out += ["", writes_line(files["md"]["posts"])]
    if "memory" in files["md"]:
        rows = [line for line in note_lines(files["md"]["memory"], ("| ",))
                if re.match(r"^\| [a-z]", line) and not line.startswith("| server")]
        out += ["", "Idle memory, KiB per keep-alive connection (slope): " + ", ".join(
            f"{cells[1].strip()} {cells[2].strip()}" for cells in (r.split("|") for r in rows)) + "."]
    if "svg" in files:
        out += ["", f"![server CPU per request, every server](bench/results/{files['svg'].name})"]
    return "\n".join(out)


def update(readme, text):
    source = Path(readme).read_text(encoding="utf-8")
    pattern = re.compile(r"(<!-- results:begin[^\n]*\n).*?(<!-- results:end -->)", re.S)
    if not pattern.search(source):
        print(f"readme.py: no results markers in {readme}", file=sys.stderr)
        sys.exit(2)
    Path(readme).write_text(pattern.sub(lambda m: m.group(1) + text + "\n" + m.group(2), source),
                            encoding="utf-8")


def main(argv):
    readme = None
    if len(argv) > 2 and argv[1] == "--update":
        readme, argv = argv[2], [argv[0]] + argv[3:]
    if len(argv) != 3:
        print("readme.py: expected RESULTS_DIR and STAMP\n" + __doc__, file=sys.stderr)
        sys.exit(2)
    text = block(argv[1], argv[2])
    if readme:
        update(readme, text)
    else:
        print(text)


if __name__ == "__main__":
    main(sys.argv)
