"""The per-recording quality-control page (the rule ``quality_report``): checks of one
recording's feature file and the arrays its feature job stored, as an ``mne.Report``."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

import numpy as np

from .store import atomic_path

log = logging.getLogger(__name__)

#: A channel is flat below this fraction of the median channel SD, outlying above this multiple.
FLAT_SD_FRACTION = 1e-3
OUTLYING_SD_FACTOR = 10.0
#: A segment shorter than this fraction of the recording's median segment is flagged.
SHORT_SEGMENT_FRACTION = 0.5


def quality_checks(features, qc: dict, *, class_balance: dict | None = None) -> list[dict]:
    """One verdict per check of one recording: ``{"check", "ok", "verdict"}``.

    ``features`` is the recording's :class:`~.store.FeatureFile`, ``qc`` the arrays the
    feature job stored for it (:func:`~.store.read_qc`); ``class_balance`` maps
    ``"<task>/<split>"`` to window counts per class name.
    """
    checks = []
    names = list(features.attrs.get("ch_names", []))
    sd = np.asarray(qc["channel_sd"], dtype=float)
    median_sd = float(np.median(sd)) if sd.size else 0.0

    def channel_names(mask):
        picked = [names[i] if i < len(names) else str(i) for i in np.flatnonzero(mask)]
        return ", ".join(picked[:5]) + (f" and {len(picked) - 5} more" if len(picked) > 5 else "")

    if sd.size == 0:  # features shipped by the lab: no signal was read
        origin = features.attrs.get("feature_origin", "no signal read by this workflow")
        for name in ("flat channels", "outlying channels"):
            checks.append({"check": name, "ok": True, "verdict": f"not measured: {origin}"})
    else:
        flat = sd <= FLAT_SD_FRACTION * median_sd
        checks.append({"check": "flat channels", "ok": not flat.any(),
                       "verdict": f"{int(flat.sum())} flat channel(s): {channel_names(flat)}" if flat.any()
                       else f"none (median channel SD {median_sd:.3g})"})
        outlying = sd >= OUTLYING_SD_FACTOR * median_sd
        checks.append({"check": "outlying channels", "ok": not outlying.any(),
                       "verdict": f"{int(outlying.sum())} channel(s) with SD >= {OUTLYING_SD_FACTOR:g} x the median: "
                                  f"{channel_names(outlying)}" if outlying.any() else "none"})
    sfreq = float(features.attrs["sfreq"])
    window_s, step_s = float(features.attrs["window_s"]), float(features.attrs["step_s"])
    ids, samples = np.asarray(qc["segment_ids"]), np.asarray(qc["segment_samples"], dtype=float)
    seconds = samples / sfreq
    expected = np.where(seconds >= window_s, np.floor((seconds - window_s) / step_s + 1e-9) + 1, 0).astype(int)
    counted = np.array([int(np.sum(features.segment == i)) for i in ids])
    mismatch = expected != counted
    checks.append({"check": "windows per segment", "ok": not mismatch.any(),
                   "verdict": "every segment has the windows its length gives" if not mismatch.any() else
                   "segments " + ", ".join(f"{i} ({c} windows, length gives {e})"
                                           for i, c, e in zip(ids[mismatch], counted[mismatch], expected[mismatch]))})
    short = seconds < SHORT_SEGMENT_FRACTION * np.median(seconds)
    checks.append({"check": "segment lengths", "ok": not short.any(),
                   "verdict": (f"segment(s) {', '.join(str(i) for i in ids[short])} shorter than "
                               f"{SHORT_SEGMENT_FRACTION:.0%} of the median ({np.median(seconds):.1f} s): "
                               + ", ".join(f"{s:.1f} s" for s in seconds[short])) if short.any()
                   else f"{seconds.min():.1f}-{seconds.max():.1f} s"})
    de = np.asarray(features.de, dtype=float)
    bad = ~np.isfinite(de)
    checks.append({"check": "DE features", "ok": not bad.any(),
                   "verdict": f"{int(bad.sum())} non-finite values" if bad.any() else
                   "finite; median per band " + ", ".join(
                       f"{b} {np.median(de[..., k]):.2f}" for k, b in enumerate(features.attrs.get("bands", {})))})
    other = np.asarray(features.other, dtype=float)
    if other.shape[1] == 0:
        checks.append({"check": "other modality", "ok": False, "verdict": "no other-modality features"})
    else:
        constant = np.nanstd(other, axis=0) == 0
        nonfinite = ~np.isfinite(other)
        checks.append({"check": "other modality", "ok": not (constant.all() or nonfinite.any()),
                       "verdict": f"{other.shape[1]} features, {int(constant.sum())} constant, "
                                  f"{int(nonfinite.sum())} non-finite values"})
    for key, counts in (class_balance or {}).items():
        missing = [name for name, n in counts.items() if n == 0]
        checks.append({"check": f"class balance {key}", "ok": not missing,
                       "verdict": ", ".join(f"{name} {n}" for name, n in counts.items())
                       + (f" (no window of {', '.join(missing)})" if missing else "")})
    return checks


def _html_table(frame) -> str:
    """A small table for the page (pandas' HTML, in the report's Bootstrap style)."""
    return frame.to_html(index=False, classes="table table-sm w-auto", border=0, float_format="{:.4g}".format)


def add_agreement(report, features) -> None:
    """The agreement between our DE and the lab's released DE of the same windows (the
    feature file's ``lab_agreement``, see ``features.lab_agreement``): a table and a small
    figure of the correlation and the offset per band; nothing when there is none."""
    import html

    import matplotlib.pyplot as plt
    import pandas as pd

    agreement = features.attrs.get("lab_agreement")
    if not agreement:
        return
    bands = agreement.get("bands") or [str(k) for k in range(len(agreement["correlation"]))]
    recipe = features.attrs.get("feature_recipe", {})
    table = pd.DataFrame({"band": [str(b) for b in bands],
                          "correlation": [f"{c:.3f}" for c in agreement["correlation"]],
                          "offset": [f"{o:.3g}" for o in agreement["offset"]]})
    differ = agreement.get("window_counts_differ") or []
    note = (f"<p>Window counts differ in {len(differ)} clip(s) (clip, ours, theirs): {differ}; the first windows "
            "of each are paired.</p>" if differ else "")
    section = "Agreement with the lab's released features"
    report.add_html(f"""<p>Our DE (recipe: {html.escape(json.dumps(recipe))}) against {html.escape(str(agreement['origin']))},
on the same {agreement['n_windows']} windows: Pearson correlation over windows and channels, and the mean difference,
per band. A high correlation with an offset is a difference of scale; a low correlation with our smoothing set to the
lab's (de_scale lab, smoothing lds) points at the data.</p>{note}{_html_table(table)}""",
                    title=section, section=section, tags=("qc",))
    fig, axes = plt.subplots(1, 2, figsize=(8, 2.6))
    axes[0].bar(bands, agreement["correlation"], color="tab:blue")
    axes[0].set_ylim(min(0.0, np.nanmin(agreement["correlation"])), 1.0)
    axes[0].set_title("correlation (ours vs the lab's)", fontsize=9)
    axes[1].bar(bands, agreement["offset"], color="tab:orange")
    axes[1].axhline(0, color="black", lw=0.5)
    axes[1].set_title("mean offset (ours - the lab's)", fontsize=9)
    fig.tight_layout()
    report.add_figure(fig, "agreement per band", section=section, image_format="png", tags=("qc",))
    plt.close(fig)


def quality_page(features, qc: dict, output_html: str, *, class_balance: dict | None = None) -> list[dict]:
    """Write one self-contained HTML page for one recording (an ``mne.Report``, as
    MNE-BIDS-Pipeline's QC reports are); return its checks."""
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mne
    import pandas as pd

    checks = quality_checks(features, qc, class_balance=class_balance)
    recording = str(features.attrs.get("recording", ""))
    de = np.asarray(features.de, dtype=float)
    n_flags = sum(not c["ok"] for c in checks)
    report = mne.Report(title=f"Quality report: {recording}", verbose="error")
    check_rows = "\n".join(
        f"<tr class='{'ok' if c['ok'] else 'flag'}'><td>{'ok' if c['ok'] else 'FLAG'}</td><td>{html.escape(c['check'])}</td>"
        f"<td>{html.escape(c['verdict'])}</td></tr>" for c in checks)
    report.add_html(f"""<style>tr.flag td{{background:#fdd}} tr.ok td:first-child{{color:#070}}</style>
<p>{n_flags} check(s) flagged. Sampling rate {features.attrs['sfreq']} Hz, {len(features.attrs.get('ch_names', []))} EEG
channels, {de.shape[0]} windows of {features.attrs['window_s']} s (step {features.attrs['step_s']} s).</p>
<table class="table table-sm w-auto"><tr><th></th><th>check</th><th>verdict</th></tr>
{check_rows}
</table>""", title="Checks", tags=("qc",))

    freqs = np.asarray(qc["freqs"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
    for ax, key, title in ((axes[0], "psd_raw", "before the bandpass"), (axes[1], "psd_filtered", "after the bandpass")):
        psd = np.asarray(qc[key])
        if freqs.size == 0 or psd.size == 0:
            ax.text(0.5, 0.5, "not measured: no signal was read\n(features shipped by the lab)", ha="center",
                    va="center", transform=ax.transAxes)
            ax.set_title(f"PSD {title}", fontsize=9)
            continue
        ax.semilogy(freqs, psd.T, lw=0.5, alpha=0.5)
        ax.semilogy(freqs, np.median(psd, axis=0), color="black", lw=1.5, label="median channel")
        ax.set_title(f"PSD of every channel, {title}", fontsize=9)
        ax.set_xlabel("frequency (Hz)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("PSD (unit²/Hz)")
    fig.tight_layout()
    report.add_figure(fig, "Power spectra", caption="PSD before and after the bandpass", image_format="png",
                      tags=("qc",))
    plt.close(fig)

    ids, samples = np.asarray(qc["segment_ids"]), np.asarray(qc["segment_samples"])
    segments = pd.DataFrame({"segment": [str(i) for i in ids],
                             "length (s)": [f"{n / float(features.attrs['sfreq']):.1f}" for n in samples],
                             "windows": [str(int(np.sum(features.segment == i))) for i in ids]})
    report.add_html(_html_table(segments), title="Windows per segment", tags=("qc",))

    bands = list(features.attrs.get("bands", {})) or [str(k) for k in range(de.shape[-1])]
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.boxplot([de[..., k].ravel() for k in range(de.shape[-1])], showfliers=False)
    ax.set_xticks(range(1, len(bands) + 1), bands)
    ax.set_ylabel("DE (nats)")
    ax.set_title("DE over windows and channels, per band", fontsize=9)
    fig.tight_layout()
    report.add_figure(fig, "DE features", caption="DE distribution per band", image_format="png", tags=("qc",))
    plt.close(fig)

    add_agreement(report, features)

    other = np.asarray(features.other, dtype=float)
    other_names = list(features.attrs.get("other_feature_names", [])) or [str(i) for i in range(other.shape[1])]
    summary = pd.DataFrame({"feature": other_names,
                            **{name: [f"{statistic(other[:, i]):.4g}" for i in range(other.shape[1])]
                               for name, statistic in (("min", np.nanmin), ("median", np.nanmedian), ("max", np.nanmax))}})
    report.add_html(_html_table(summary), title=f"Other modality ({features.attrs.get('other_kind', '')})", tags=("qc",))
    with atomic_path(output_html) as tmp:
        html_path = tmp.with_name(tmp.name + ".html")  # mne.Report picks its format from the extension
        try:
            report.save(html_path, open_browser=False, overwrite=True, verbose="error")
            html_path.replace(tmp)
        finally:
            html_path.unlink(missing_ok=True)
    return checks


def quality_stage(*, features_path: str, output_html: str, protocol: Mapping, seed: int) -> None:
    """The rule ``quality_report``: one QC page for one recording, from what the feature
    job stored (never re-reads raw data). Class balance per split of each experiment."""
    from .protocols import ExperimentError, experiment_folds
    from .store import read_features, read_qc

    features = read_features(features_path)
    qc = read_qc(features_path)
    if not qc:
        raise ValueError(f"{features_path}: no qc/ arrays; rerun the features rule (feature files before QC)")
    balance = {}
    for task in protocol.get("tasks", []):
        try:
            folds = experiment_folds(features, protocol=protocol, task=task, seed=seed)
        except ExperimentError as err:
            balance[f"{task}"] = {"not evaluable: " + str(err): 0}
            continue
        names = features.attrs["classes"][task]["class_names"]
        for split in ("train", "val", "test"):
            counts = np.zeros(len(names), dtype=int)
            for fold in folds:
                data = getattr(fold, split)
                if data is not None:
                    counts += np.bincount(data.y, minlength=len(names))[:len(names)]
            if counts.sum():
                balance[f"{task}/{split}"] = dict(zip(names, counts.tolist()))
    checks = quality_page(features, qc, output_html, class_balance=balance)
    for check in checks:
        log.info("%s: %s: %s", "ok" if check["ok"] else "FLAG", check["check"], check["verdict"])
