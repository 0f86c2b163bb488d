"""CPU time (user + system) of groups of processes, read from /proc: where a benchmark's machine time goes.

    meter = CpuMeter({"portal": [portal_pid], "plan service": [plan_pid]}, names={"postgres": "postgres"})
    before = meter.sample(); ...; spent = meter.since(before)   # {"portal": 1.23, ...} in seconds

A group given by pids counts those processes and all their descendants (gunicorn's workers); a group given by
a command name counts every process of that name (PostgreSQL's backends, which belong to the server, not to
us: other people's queries on the same server are counted too, so run on a quiet machine). "this process" is
always counted (the benchmark's own client threads). Linux only; on other systems every figure is 0.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds) of one process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is state (field 3 of proc(5)); ppid is field 4, utime 14, stime 15
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


class CpuMeter:
    def __init__(self, roots: dict[str, list[int]], names: dict[str, str] | None = None) -> None:
        self.roots = roots
        self.names = names or {}

    def sample(self) -> dict[str, float]:
        table: dict[int, tuple[str, int, float]] = {}
        for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else []:
            if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
                table[int(entry.name)] = stat
        children: dict[int, list[int]] = {}
        for pid, (_name, ppid, _cpu) in table.items():
            children.setdefault(ppid, []).append(pid)
        totals: dict[str, float] = {}
        for group, pids in self.roots.items():
            seen, todo = set(), list(pids)
            while todo:
                pid = todo.pop()
                if pid in seen or pid not in table:
                    continue
                seen.add(pid)
                todo.extend(children.get(pid, []))
            totals[group] = sum(table[pid][2] for pid in seen)
        for group, name in self.names.items():
            totals[group] = sum(cpu for (n, _p, cpu) in table.values() if n == name)
        me = os.times()
        totals["this process"] = me.user + me.system
        return totals

    def since(self, before: dict[str, float]) -> dict[str, float]:
        now = self.sample()
        return {group: now[group] - before.get(group, 0.0) for group in now}
