"""Resident memory of this process: the peak, read cheaply from ``getrusage``, and the current;
on Linux also the high-water mark of its own memory map, which can be lowered again."""

from __future__ import annotations

import os
import resource
import sys


def peak_rss_bytes() -> int:
    """The process's peak resident set size so far, in bytes (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def current_rss_bytes() -> int:
    """The process's resident set size now, in bytes: from ``/proc/self/statm`` where there is
    one (Linux), else the peak (``peak_rss_bytes``), which is never less."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return peak_rss_bytes()


def reset_peak_rss() -> bool:
    """Lower this process's high-water mark to its resident size now (Linux 4.0 and later, through
    ``/proc/self/clear_refs``), so that ``own_peak_rss_bytes`` counts only what comes after;
    False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return own_peak_rss_bytes() is not None


def own_peak_rss_bytes() -> int | None:
    """The high-water mark of this process's own memory map (``VmHWM``, Linux), which
    ``reset_peak_rss`` lowers; unlike ``peak_rss_bytes`` (``ru_maxrss``) it keeps no mark of the
    image the process was exec'd from (a spawned child's parent). None without ``/proc``."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024  # in kB
    except (OSError, ValueError, IndexError):
        return None
    return None
