#!/usr/bin/env python3
"""usage: callgrind_self.py CALLGRIND_OUT REQUESTS [TOP]

Instructions per request from a callgrind output file: the total, then the TOP (20)
functions by instructions of their own (callees excluded). Reads the file itself:
after `callgrind_control -z` callgrind_annotate credits everything to the outermost
frame, while the per-function costs in the file are right.
"""
import collections
import re
import sys


def self_costs(path):
    names = {}
    costs = collections.Counter()
    function = None
    skip_call_cost = False

    def name_of(token):
        match = re.match(r"\((\d+)\)(?: (.*))?", token)
        if not match:
            return token
        if match.group(2):
            names[match.group(1)] = match.group(2)
        return names.get(match.group(1), token)

    with open(path) as lines:
        for line in lines:
            line = line.rstrip("\n")
            if line.startswith("fn="):
                function = name_of(line[3:])
            elif line.startswith("cfn="):
                name_of(line[4:])  # compressed names are defined on first use
            elif line.startswith("calls="):
                skip_call_cost = True  # the next cost line is the callee's inclusive cost
            elif line[:1].isdigit() or line[:1] in "+-*":
                if skip_call_cost:
                    skip_call_cost = False
                    continue
                fields = line.split()
                if len(fields) >= 2 and function is not None:
                    costs[function] += int(fields[1])
    return costs


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    costs = self_costs(sys.argv[1])
    requests = float(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    print("requests %d  user_instructions_per_request %.0f" % (requests, sum(costs.values()) / requests))
    for function, cost in costs.most_common(top):
        print("%8.1f  %s" % (cost / requests, function[:110]))


if __name__ == "__main__":
    main()
