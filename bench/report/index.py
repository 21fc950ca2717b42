"""usage: index.py [--append STAMP] [RESULTS_DIR]

Writes RESULTS_DIR/README.md (default bench/results/): one row per run of bench/run.sh,
oldest first — date, commit, rounds, the machine context line, and the headline ratios
(ours' server CPU µs per request ÷ each peer's and ÷ the io_uring floor's, in each
scenario's first load), with links to the run's files. Every row comes from the result
files alone. --append STAMP adds the row of that run to an existing index instead."""

import re
import sys
from pathlib import Path

from results import URING_FLOOR, context, is_floor, ours_name, ratio, read_scenario, runs

HEADER = """# bench/results — every run

Generated from the result files by `bench/report/index.py`; `bench/run.sh` appends a
row after each run. Headline: ours' median server CPU µs per request ÷ each other
server's, in each scenario's first load (below 1: ours uses less CPU; `floor`: the
io_uring fixed-response floor, `bench/tools/floor`). Runs of a few seconds and one
round (`--quick`, or rounds × seconds below) are smoke tests, not measurements; runs on
different days compare by these ratios, not by absolute figures (see the hand-off costs
in each file's machine context).
"""

TABLE = """
| run | commit | rounds × s | machine | headline: ours' CPU/request ÷ other's | files |
|---|---|---|---|---|---|
"""

def headline(tsv, name):
    scenario = read_scenario(tsv, name)
    if scenario is None or not scenario.loads:
        return None
    load = scenario.loads[0]
    ours = scenario.ours(load, ours_name(name))
    if ours is None:
        return None
    mine = scenario.cell(load, ours).median("cpu")
    parts = []
    for server in scenario.servers:
        cell = scenario.cell(load, server)
        skip = scenario.is_ours(server, ours) or (is_floor(server) and server != URING_FLOOR)
        r = None if cell is None or skip else ratio(mine, cell.median("cpu"))
        if r is not None:
            parts.append(f"{r:.2f} {'floor' if server == URING_FLOOR else server}")
    if not parts:
        return f"**{name}** {load}: {mine:.2f} µs"
    return f"**{name}** {load}: " + ", ".join(parts)


def machine(ctx):
    cpu = ctx.get("CPU", "?")
    kernel = ctx.get("kernel", "").replace("Linux ", "")
    costs = ctx.get("hand-off costs", "")
    costs = re.sub(r"thread round trip [^;]*; ", "", costs)
    return "; ".join(p for p in (cpu, kernel, costs) if p)


def rounds(ctx):
    m = re.search(r"(\d+) round\(s\) of (\d+) s", ctx.get("method", ""))
    return f"{m.group(1)} × {m.group(2)}" if m else "?"


def row(stamp, files):
    mds = files["md"]
    if not mds:
        return None
    ctx = context(next(iter(mds.values())))
    lines = [headline(files["tsv"][name], name) for name in files["tsv"]]
    heads = "; ".join(line for line in lines if line) or "(no tables: " + ", ".join(mds) + ")"
    links = " ".join(f"[{name}]({path.name})" for name, path in mds.items())
    if "svg" in files:
        links += f" [chart]({files['svg'].name})"
    commit = ctx.get("git commit", "?").replace("|", "/")
    date = ctx.get("date", stamp).replace(" UTC", "")
    return f"| {date} | {commit} | {rounds(ctx)} | {machine(ctx)} | {heads} | {links} |"


def latest_full_chart(all_runs):
    """The newest run that measured hello, user and kv with 3 or more rounds, and its chart."""
    for stamp, files in reversed(all_runs.items()):
        if "svg" not in files or not {"hello", "user", "kv"} <= set(files["tsv"]):
            continue
        r = rounds(context(next(iter(files["md"].values()))))
        if r != "?" and int(r.split(" × ")[0]) >= 3:
            return stamp, files["svg"]
    return None


def main(argv):
    args = argv[1:]
    append = None
    if args[:1] == ["--append"]:
        if len(args) < 2:
            sys.exit(__doc__.splitlines()[0])
        append, args = args[1], args[2:]
    results_dir = Path(args[0] if args else Path(__file__).resolve().parent.parent / "results")
    all_runs = runs(results_dir)
    index = results_dir / "README.md"
    latest = latest_full_chart(all_runs)
    if append is not None:
        if append not in all_runs:
            sys.exit(f"index.py: no result files for run {append} in {results_dir}")
        # A new full run changes the chart at the top: then the file is written anew.
        if index.exists() and (latest is None or latest[0] != append):
            line = row(append, all_runs[append])
            with open(index, "a", encoding="utf-8") as f:
                f.write(line + "\n" if line else "")
            return
    text = HEADER
    if latest:
        measured = ", ".join(sorted(all_runs[latest[0]]["tsv"]))
        text += (f"\nThe latest full run ({latest[0]}: {measured}; 3 or more rounds):\n\n"
                 f"![server CPU per request of every server, by scenario]({latest[1].name})\n")
    text += TABLE + "".join(line + "\n" for line in (row(s, f) for s, f in all_runs.items()) if line)
    index.write_text(text, encoding="utf-8")

if __name__ == "__main__":
    main(sys.argv)
