"""The class bench's records (``bench.common.record``), one function per case, each from the
numbers its phase measured; each logs its one-line summary."""
from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from bench.classroom.plan import FAMILY, Plan, log, median, rounded
from bench.common import record

if TYPE_CHECKING:
    from bench.classroom.browsers import Browsers
    from bench.classroom.measure import Seat


def affinity_record(aff: dict[str, Any]) -> dict[str, Any]:
    """``class-affinity``: uploads and media through the proxy (:func:`phases.affinity`)."""
    fails = aff["upload_failures"] + aff["media_failures"]
    rec = record(
        FAMILY, "class-affinity", "failed uploads and media fetches through the proxy, "
        "each with its session's cookies", [fails], "failures", "<= 0", value=fails,
        uploads=aff["uploads"], upload_failures=aff["upload_failures"],
        media=aff["media"], media_failures=aff["media_failures"],
        upload_replicas=sorted({r for r in aff["replicas"] if r}),
        no_cookie_uploads=aff["no_cookie_uploads"],
        no_cookie_failures=aff["no_cookie_failures"],
        no_cookie_media=aff["no_cookie_media"],
        no_cookie_media_failures=aff["no_cookie_media_failures"], why=aff["why"][:10],
        note="an upload counts when the PUT answers 204 and the page then shows its "
             "refusal of that file (the file reached the session's replica); without the "
             "affinity cookie the same requests fail when the proxy picks the other replica")
    log(f"affinity: {fails} failures of {aff['uploads']} uploads + {aff['media']} media; "
        f"without the cookie {aff['no_cookie_failures']}/{aff['no_cookie_uploads']} uploads "
        f"and {aff['no_cookie_media_failures']}/{aff['no_cookie_media']} media failed")
    return rec


def class_records(plan: Plan, seats: list[Seat], w: dict[str, Any], whole: dict[str, Any],
                  procs: list[dict[str, Any]], browsers: Browsers | None
                  ) -> list[dict[str, Any]]:
    """``class-30``, ``class-30-first-frame`` and (with chromium) ``class-30-chromium``, from
    the whole window ``w`` (:func:`students.play_class`) while its seats are still open."""
    recs = []
    rates = whole["rates"]
    worst = min(rates) if rates else None
    n_err = len(whole["errors"])
    rec = record(FAMILY, "class-30", "redraws per second per session (median over "
                 "light sessions)", rates, "redraws/s", ">= 1", seconds=[whole["seconds"]],
                 worst=rounded(worst), errors=n_err, worst_target=">= 0.5", errors_target=0,
                 students=plan.students, light=len(rates), chromium=len(whole["browser_rates"]),
                 replicas_used=whole["replicas"], ramp_s=w["ramp_s"],
                 first_frame_median_s=rounded(median(whole["firsts"])),
                 first_frame_worst_s=rounded(max((x for x in whole["firsts"] if x is not None),
                                                 default=None)),
                 first_frame_missing=sum(x is None for x in whole["firsts"]),
                 open_median_s=rounded(median(whole["opens"])),
                 open_worst_s=rounded(max((x for x in whole["opens"] if x is not None),
                                          default=None)),
                 step_changes_median=rounded(median(whole["changes"])),
                 page_redraws_median=whole["page_redraws"],
                 page_steps_per_s={k: rounded(v, 1)
                                   for k, v in whole["page_steps_per_s"].items()},
                 browser_redraws_median=rounded(median(whole["browser_rates"])),
                 processes=procs, error_samples=whole["errors"][:10],
                 backmsgs_per_s=rounded(sum(x.student.sent for x in seats if x.student)
                                        / max(time.monotonic() - w["w0"] + w["ramp_s"], 1), 1),
                 clients_cpu_pct=w["clients_cpu_pct"], chromium_cpu_pct=w["chromium_cpu_pct"],
                 chromium_group=browsers.group if browsers is not None else None,
                 load_avg=round(os.getloadavg()[0], 1))
    rec["met"] = bool(rec["met"] and worst is not None and worst >= 0.5 and n_err == 0)
    recs.append(rec)
    recs.append(record(FAMILY, "class-30-first-frame", "seconds from Play to the first "
                       "frame with a new Step (median over sessions)", whole["firsts"], "s",
                       None, worst=recs[-1]["first_frame_worst_s"]))
    if whole["browser_rates"]:
        recs.append(record(
            FAMILY, "class-30-chromium", "chromium: Step changes per second on the page "
            "(median), beside the light clients' Step changes per second",
            whole["browser_rates"], "changes/s", None,
            light_step_changes_median=rounded(median(whole["changes"])),
            light_redraws_median=rounded(median(rates)),
            browser_steps=whole["browser_steps"], chromium_cpu_pct=w["chromium_cpu_pct"],
            note="a page redraws when its browser asks for the next tick (the fragment's "
                 "timer); a chromium short of CPU (rendering the charts on this machine) "
                 "asks later, so its session ticks less often than a light client's"))
    log(f"class-30: median {rec['value']} redraws/s, worst {rec['worst']}, {n_err} errors; "
        f"first frame {rec['first_frame_median_s']} s (worst {rec['first_frame_worst_s']}); "
        f"chromium {rec.get('browser_redraws_median')}; processes {procs}")
    return recs


def memory_record(before: dict[str, float | None], after: dict[str, float | None],
                  after0: dict[str, float | None], before_parts: dict, after_parts: dict,
                  procs: list[dict[str, Any]], ttl: float) -> dict[str, Any]:
    """``class-memory``: each replica's RSS at rest after the class ÷ before it
    (:func:`phases.settle`; ``after0``: before its probe visit), the worse replica."""
    ratios = {k: (after[k] / before[k]) if after.get(k) and before.get(k) else None
              for k in before}
    worst_ratio = max((v for v in ratios.values() if v is not None), default=None)
    rec = record(
        FAMILY, "class-memory", "RSS after every session closed ÷ before (worse replica)",
        [worst_ratio], "ratio", "<= 1.1", value=worst_ratio,
        before_mb={k: rounded(v, 1) for k, v in before.items()},
        after_mb={k: rounded(v, 1) for k, v in after.items()},
        after_unprobed_mb={k: rounded(v, 1) for k, v in after0.items()},
        before_parts_mb=before_parts, after_parts_mb=after_parts,
        peak_mb={p["name"]: p.get("rss_mb_peak") for p in procs},
        ratios={k: rounded(v) for k, v in ratios.items()}, session_ttl_s=ttl,
        note="before: after a warm-up visit of every page on each replica (imports done, "
             "one model of each family built) and the affinity check, once their sessions "
             "were closed and the disconnected-session TTL had passed; after: the same "
             "wait after the class's sessions closed. Each time one visit of the home page "
             "per replica follows the wait: Streamlit forgets expired sessions only when "
             "another session disconnects (after_unprobed_mb: RSS before that visit)")
    log(f"class-memory: before {before}, after {after}; parts {before_parts} -> "
        f"{after_parts}")
    return rec


def scaling_record(plan: Plan, first: dict[str, Any], one: dict[str, Any],
                   procs2: list[dict[str, Any]], procs1: list[dict[str, Any]]
                   ) -> dict[str, Any]:
    """``class-scaling``: the class's steps/s on 2 replicas (``first``: the first
    ``plan.scaling_window_s`` of the class-30 window) ÷ pinned to 1 (``one``)."""
    two_sps, one_sps = first["steps_per_s"], one["steps_per_s"]
    # a ratio only when most sessions trained in both halves (else it measures starvation)
    moved = min(sum(x > 0 for x in first["steps"]), sum(x > 0 for x in one["steps"]))
    ratio = two_sps / one_sps if one_sps > 0 and moved * 2 >= len(one["steps"]) else None
    rec = record(
        FAMILY, "class-scaling", "training steps/s of the class, 2 replicas ÷ 1 (light "
        "sessions' Step metrics, same pages and chromium sessions)", [ratio], "ratio",
        ">= 1.6", value=ratio, steps_per_s_2=rounded(two_sps, 1),
        steps_per_s_1=rounded(one_sps, 1), seconds=[one["seconds"]],
        redraws_median_1=rounded(median(one["rates"])),
        redraws_median_2=rounded(median(first["rates"])), replicas_used_1=one["replicas"],
        errors_1=len(one["errors"]), error_samples_1=one["errors"][:10],
        sessions_training_2=sum(x > 0 for x in first["steps"]),
        sessions_training_1=sum(x > 0 for x in one["steps"]),
        page_ratios={k: rounded(v / one["page_steps_per_s"][k])
                     if one["page_steps_per_s"].get(k) else None
                     for k, v in first["page_steps_per_s"].items()},
        processes_2=procs2, processes_1=procs1, load_avg=round(os.getloadavg()[0], 1),
        note=f"the 2-replica figure is the first {plan.scaling_window_s:.0f} s of the "
             "class-30 window; the 1-replica run pins every session to one replica with "
             "the proxy's cookie while the other idles")
    log(f"class-scaling: {two_sps:.0f} vs {one_sps:.0f} steps/s -> {ratio}; "
        f"{len(one['errors'])} errors {one['errors'][:3]}")
    return rec
