"""Reading bench/run.sh result files: the TSV rows of one scenario, their medians over
rounds, and which server is ours. Shared by table.py, chart.py and index.py."""

import csv
import math
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

# The floor responders (bench/tools/floor): drawn as lines, not compared as peers.
URING_FLOOR = "uring-floor"
FLOORS = (URING_FLOOR, "epoll-floor")
# The BPF sockmap proxy moves the payload in softirq context, charged to no process: its
# "CPU per request" is ~0 and says nothing. It is a floor for latency only.
LATENCY_ONLY_FLOORS = ("floor-sockmap",)
# Loads measured one request at a time: latency-bound, read as µs per request
# (10^6 ÷ req/s), where a CPU ratio would hide the latency the load is about.
SEQUENTIAL = re.compile(r"-c1$")


# Scenarios where ours runs under another name: the one ratios refer to. (In proxy,
# "coring" is the default auto mode; coring-splice and coring-copy are compared to it.)
OURS_IN_SCENARIO = {}


def ours_name(scenario_name, default="coring"):
    return OURS_IN_SCENARIO.get(scenario_name, default)


def is_floor(server):
    return server in FLOORS


def is_pipelined(load):
    """Loads where the server, not the load generator, is the bottleneck."""
    return re.search(r"-p\d+", load) is not None


@dataclass
class Cell:
    """Every round of one (load, server)."""
    rps: list = field(default_factory=list)
    p50: list = field(default_factory=list)
    p99: list = field(default_factory=list)
    cpu_by_round: dict = field(default_factory=dict)
    errors: int = 0
    non2xx: int = 0

    @property
    def rounds(self):
        return len(self.rps)

    def median(self, name):
        values = self.cpu_by_round.values() if name == "cpu" else getattr(self, name)
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None


@dataclass
class Scenario:
    name: str
    loads: list = field(default_factory=list)    # in the order they were measured
    servers: list = field(default_factory=list)  # likewise
    cells: dict = field(default_factory=dict)    # (load, server) -> Cell

    def cell(self, load, server):
        return self.cells.get((load, server))

    def ours(self, load, ours):
        """Our server in this load: `ours`, else the first server named `ours`-something."""
        if (load, ours) in self.cells:
            return ours
        for server in self.servers:
            if server.startswith(ours + "-") and (load, server) in self.cells:
                return server
        return None

    def is_ours(self, server, ours):
        return server == ours or server.startswith(ours + "-")


def number(text):
    """A TSV field as a float; None when absent or "nan" (a run that completed nothing)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def read_scenario(tsv_path, scenario=None):
    """The rows of `scenario` (default: the first one in the file) from a run's TSV.
    Files written before the p50 column existed read with p50 = None."""
    result = None
    with open(tsv_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            name = row["scenario"]
            if scenario is None:
                scenario = name
            if name != scenario:
                continue
            result = result or Scenario(name)
            load, server = row["load"], row["server"]
            if load not in result.loads:
                result.loads.append(load)
            if server not in result.servers:
                result.servers.append(server)
            cell = result.cells.setdefault((load, server), Cell())
            cell.rps.append(number(row["rps"]))
            cell.p50.append(number(row.get("lat_p50_us")))
            cell.p99.append(number(row["lat_p99_us"]))
            cell.cpu_by_round[row["round"]] = number(row["cpu_us_per_req"])
            cell.errors += int(number(row["errors"]) or 0)
            cell.non2xx += int(number(row["non2xx"]) or 0)
    return result


def ratio(a, b):
    return a / b if a is not None and b else None


def per_round_ratios(scenario, load, server_a, server_b):
    """CPU of a ÷ CPU of b within each round both ran in, in round order."""
    a = scenario.cell(load, server_a).cpu_by_round
    b = scenario.cell(load, server_b).cpu_by_round
    rounds = sorted(set(a) & set(b), key=lambda r: int(r) if r.isdigit() else r)
    return [ratio(a[r], b[r]) for r in rounds if ratio(a[r], b[r]) is not None]


# A run is every file sharing the date stamp bench/run.sh gives it.
STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}-\d{6})-(.+)\.(md|tsv|svg)$")


def runs(results_dir):
    """{stamp: {"md": {scenario: path}, "tsv": {scenario: path}, "svg": path}}, oldest first."""
    found = {}
    for path in sorted(Path(results_dir).iterdir()):
        whole = re.match(r"^(\d{4}-\d{2}-\d{2}-\d{6})\.svg$", path.name)
        if whole:
            found.setdefault(whole.group(1), {"md": {}, "tsv": {}})["svg"] = path
            continue
        m = STAMP.match(path.name)
        if m and m.group(2).endswith("-samples"):
            continue  # a scenario's own time series (soak), not a table of rounds
        if m and m.group(3) in ("md", "tsv"):
            found.setdefault(m.group(1), {"md": {}, "tsv": {}})[m.group(3)][m.group(2)] = path
    return dict(sorted(found.items()))


def context(md_path):
    """The machine-context bullet lines of a report: {"date": ..., "git commit": ...}."""
    lines = {}
    for line in Path(md_path).read_text(encoding="utf-8").splitlines():
        m = re.match(r"^- ([A-Za-z -]+?)(?: on CPU \d+ \([^)]*\))?: (.*)$", line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = m.group(2)
        if line.startswith("|"):
            break
    return lines
