"""usage: table.py TSV SCENARIO OURS — the Markdown table of one scenario of a run.

One row per (load, server): medians over rounds of req/s, latency p50/p99 and server
CPU µs per request; the CPU as a multiple of ours and of the io_uring floor (when the
scenario ran one); non-2xx and socket errors summed over rounds. Then, per load, ours
against each peer: the ratio of the medians and every round's own ratio (the servers of
a round run minutes apart, so a round's pair shares the machine's drift)."""

import statistics
import sys

from results import URING_FLOOR, is_floor, ours_name, per_round_ratios, ratio, read_scenario


def thousands(x):
    return "–" if x is None else f"{x:,.0f}"


def micros(x, whole_ms=False):
    if x is None:
        return "–"
    if x == 0 and whole_ms:
        return "< 1 ms"  # autocannon's histogram is in whole milliseconds
    return f"{x / 1000:.2f} ms" if x >= 1000 else f"{x:.0f} µs"


def times(x):
    return "–" if x is None else f"{x:.2f}×"


def rows(scenario, ours):
    has_floor = URING_FLOOR in scenario.servers
    header = "| load | server | req/s | p50 | p99 | CPU µs/req | CPU ÷ ours |"
    rule = "|---|---|---:|---:|---:|---:|---:|"
    if has_floor:
        header += " CPU ÷ floor |"
        rule += "---:|"
    yield header + " non-2xx | errors | rounds |"
    yield rule + "---:|---:|---:|"
    for load in scenario.loads:
        mine = scenario.ours(load, ours)
        floor = scenario.cell(load, URING_FLOOR)
        for server in scenario.servers:
            cell = scenario.cell(load, server)
            if cell is None:
                continue
            cpu = cell.median("cpu")
            whole_ms = load.startswith("autocannon")
            name = f"**{server}**" if server == mine else server
            line = (f"| {load} | {name} | {thousands(cell.median('rps'))} | "
                    f"{micros(cell.median('p50'), whole_ms)} | {micros(cell.median('p99'), whole_ms)} | "
                    f"{'–' if cpu is None else f'{cpu:.2f}'} | "
                    f"{times(ratio(cpu, scenario.cell(load, mine).median('cpu'))) if mine else '–'} |")
            if has_floor:
                line += f" {times(ratio(cpu, floor.median('cpu'))) if floor else '–'} |"
            yield line + f" {cell.non2xx} | {cell.errors} | {cell.rounds} |"


def two_places(value):
    """A median, or "–" where no round completed a request (its CPU per request is nan)."""
    return "–" if value is None else f"{value:.2f}"


def ratio_lines(scenario, ours):
    for load in scenario.loads:
        mine = scenario.ours(load, ours)
        if mine is None:
            continue
        me = scenario.cell(load, mine)
        for server in scenario.servers:
            peer = scenario.cell(load, server)
            if peer is None or server == mine or scenario.is_ours(server, ours):
                continue
            word = "floor" if is_floor(server) else "peer"
            line = (f"- {load}, {mine} ÷ {server} ({word}): CPU µs/req "
                    f"{times(ratio(me.median('cpu'), peer.median('cpu')))} "
                    f"({two_places(me.median('cpu'))} vs {two_places(peer.median('cpu'))}), req/s "
                    f"{times(ratio(me.median('rps'), peer.median('rps')))}")
            per_round = per_round_ratios(scenario, load, mine, server)
            if len(per_round) > 1:
                line += ("; CPU ratio per round " + ", ".join(f"{r:.2f}" for r in per_round) +
                         f" (median {times(statistics.median(per_round))})")
            yield line


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.splitlines()[0])
    scenario = read_scenario(argv[1], argv[2])
    if scenario is None:
        print("_no results_")
        return
    ours = ours_name(scenario.name, argv[3])
    print("\n".join(rows(scenario, ours)))
    print()
    floor = (" and over the io_uring floor's (`bench/tools/floor`)"
             if URING_FLOOR in scenario.servers else "")
    print(f"Bold: ours ({ours}). CPU ÷ ours{' and ÷ floor' if floor else ''}: that server's median "
          f"CPU µs/request over ours{floor} in the same load. p50/p99: latency percentiles.")
    lines = list(ratio_lines(scenario, ours))
    if lines:
        print()
        print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv)
