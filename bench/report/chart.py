"""usage: chart.py OUT.svg TSV...

The chart of one run: per scenario, the server CPU µs per request of every server as
bars, grouped by load, with the floors (bench/tools/floor, tools/proxy_floor) as lines
across their group; beside it, what a CPU bar does not show: req/s for the pipelined
loads (where the server, not the load generator, is the bottleneck), µs per request for
the one-connection loads (latency-bound), or CPU per write for posts' writes (whose
fdatasync-bound cost would flatten the read levels). Ours is drawn dark and hatched;
every server keeps its colour across the whole chart. The medians over rounds are what
is drawn."""

import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from results import (LATENCY_ONLY_FLOORS, SEQUENTIAL, URING_FLOOR, is_pipelined,  # noqa: E402
                     ours_name, read_scenario)

OURS_COLOURS = ["#1f3b73", "#4a78c2", "#8fb3e3", "#2b5797"]  # ours and its variants
PEER_COLOURS = ["#e69f00", "#009e73", "#cc79a7", "#d55e00", "#999933", "#882255",
                "#44aa99", "#7f3c8d", "#a6761d", "#66a61e", "#e7298a", "#666666"]  # no blues
FLOOR_STYLE = {URING_FLOOR: dict(color="#c00000", linestyle="-"),
               "epoll-floor": dict(color="#555555", linestyle="--"),
               "floor-epoll": dict(color="#555555", linestyle="--"),
               "floor-sockmap": dict(color="#c00000", linestyle=":")}
WRITES = re.compile(r"^post-")  # posts' durable writes


def is_line(server):
    """Servers drawn as a line across their group rather than as a bar."""
    return server in FLOOR_STYLE


def colours(scenarios, ours_of):
    """One colour per server over the whole run: shades of blue for ours and its
    variants (hatched as well), distinct colours for the peers."""
    table, ours, peers = {}, [], []
    for scenario in scenarios:
        for server in scenario.servers:
            if is_line(server) or server in ours or server in peers:
                continue
            (ours if scenario.is_ours(server, ours_of(scenario)) else peers).append(server)
    ours.sort(key=lambda server: server != "coring")  # the darkest for coring itself
    for i, server in enumerate(ours):
        table[server] = OURS_COLOURS[i % len(OURS_COLOURS)]
    for i, server in enumerate(peers):
        table[server] = PEER_COLOURS[i % len(PEER_COLOURS)]
    return table, set(ours)


def label(value):
    if value >= 100_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def value_of(cell, metric):
    """The median of a (load, server): "cpu", "rps", or "latency" (µs per request of a
    one-connection load, 10^6 ÷ req/s)."""
    if metric != "latency":
        return cell.median(metric)
    rps = cell.median("rps")
    return 1e6 / rps if rps else None


def panel(ax, scenario, loads, metric, colour_of, ours):
    """Grouped bars of `metric` per load; floors as lines."""
    width = 0.8
    for x, load in enumerate(loads):
        bars = [s for s in scenario.servers if not is_line(s) and scenario.cell(load, s)]
        step = min(width / max(len(bars), 1), 0.16)  # few bars stay narrow
        left = x - step * len(bars) / 2
        for i, server in enumerate(bars):
            value = value_of(scenario.cell(load, server), metric)
            if value is None:
                continue
            mine = scenario.is_ours(server, ours)
            ax.bar(left + (i + 0.5) * step, value, step * 0.92, color=colour_of[server],
                   hatch="//" if mine else None, edgecolor="white" if mine else "none",
                   linewidth=0)
            ax.text(left + (i + 0.5) * step, value, label(value), ha="center", va="bottom",
                    fontsize=6.5, rotation=90 if len(bars) > 4 else 0)
        for floor in FLOOR_STYLE:
            cell = scenario.cell(load, floor)
            if metric == "cpu" and floor in LATENCY_ONLY_FLOORS:
                continue
            if cell and value_of(cell, metric) is not None:
                ax.hlines(value_of(cell, metric), x - width / 2, x + width / 2, linewidth=1.6,
                          **FLOOR_STYLE[floor])
    ax.set_xticks(range(len(loads)))
    ax.set_xticklabels(loads, fontsize=8)
    ax.margins(y=0.18)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", linewidth=0.3, alpha=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", labelsize=8)


def side_panel(ax, scenario, colour_of, ours):
    """The right-hand panel: the first of pipelined req/s, write CPU and one-connection
    latency that the scenario has; blank otherwise."""
    pick = [(is_pipelined, "rps", "req/s, pipelined (higher is better)"),
            (WRITES.search, "cpu", "writes: server CPU µs per post (lower is better)"),
            (SEQUENTIAL.search, "latency", "µs per request, one connection (lower is better)")]
    for matches, metric, title in pick:
        loads = [load for load in scenario.loads if matches(load)]
        if not loads:
            continue
        panel(ax, scenario, loads, metric, colour_of, ours)
        ax.set_title(f"{scenario.name}: {title}", fontsize=10, loc="left")
        if metric == "rps":
            ax.yaxis.set_major_formatter(
                matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1000:,.0f}k" if v else "0"))
        return
    ax.axis("off")


def draw(out, scenarios, ours_of):
    colour_of, ours_servers = colours(scenarios, ours_of)
    fig, axes = plt.subplots(len(scenarios), 2, figsize=(15, 3.6 * len(scenarios)), squeeze=False,
                             gridspec_kw=dict(width_ratios=[3, 2]))
    for row, scenario in zip(axes, scenarios):
        ours = ours_of(scenario)
        cpu_ax, side_ax = row
        reads = [load for load in scenario.loads if not WRITES.search(load)]
        panel(cpu_ax, scenario, reads, "cpu", colour_of, ours)
        cpu_ax.set_title(f"{scenario.name}: server CPU µs per request (lower is better)", fontsize=10,
                         loc="left")
        side_panel(side_ax, scenario, colour_of, ours)
    handles = [Patch(facecolor=c, label=s, hatch="//" if s in ours_servers else None,
                     edgecolor="white")
               for s, c in colour_of.items()]
    present = {s for sc in scenarios for s in sc.servers}
    handles += [Line2D([], [], linewidth=1.6, label=f"{f} (floor)", **FLOOR_STYLE[f])
                for f in FLOOR_STYLE if f in present]
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 8), fontsize=8.5,
               frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / len(scenarios) / 1.5))
    fig.savefig(out)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__.splitlines()[0])
    scenarios = [s for s in (read_scenario(path) for path in argv[2:]) if s is not None]
    if not scenarios:
        sys.exit("chart.py: no rows in " + " ".join(argv[2:]))
    draw(argv[1], scenarios, lambda scenario: ours_name(scenario.name))

if __name__ == "__main__":
    main(sys.argv)
