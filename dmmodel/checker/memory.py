"""Resident memory of this process: the peak, read cheaply from ``getrusage``, the current, and
the peak of the process's own memory alone (on Linux, without the mark inherited at exec)."""

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


def own_peak_rss_bytes() -> int:
    """The high-water mark of this process's own memory (``VmHWM`` in ``/proc/self/status``,
    Linux): unlike ``peak_rss_bytes`` (``ru_maxrss``) it keeps no mark of the image the process
    was exec'd from, which for a spawned child is its parent's. Elsewhere ``peak_rss_bytes``."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024  # in kB
    except (OSError, ValueError, IndexError):
        pass
    return peak_rss_bytes()
