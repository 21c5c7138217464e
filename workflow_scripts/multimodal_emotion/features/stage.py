"""The feature stage: one recording's windowed features, as a FeatureFile and as the
rule ``features``'s whole job (:func:`feature_stage`), and the file of a recording whose
dataset ships its own features (:func:`shipped_feature_file`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from ..recording import DataFormatError, EyeClip, Recording, Segment, check_option
from ..store import FeatureFile, package_version
from .lab_recipe import DE_SCALES, lab_agreement, lab_de, recipe_attrs, smooth_clip
from .modalities import eye_feature_names, eye_features, other_feature_names, other_features
from .qc import channel_sd, mean_channel_psd
from .spectral import (
    Bands,
    band_log_bias,
    band_power,
    band_problem,
    bandpass_recording,
    differential_entropy,
    window_starts,
)

log = logging.getLogger(__name__)


def extract_features(
    recording: Recording, *, bands: Bands, window_s: float, step_s: float,
    attrs: Mapping | None = None, de_scale: str = "natural", smoothing: str = "none",
) -> FeatureFile:
    """Windowed features of every segment of a (filtered) Recording.

    Windows never cross a segment boundary. A segment shorter than one window is an
    error naming the segment, because silently dropping a clip changes the protocol.
    ``de_scale`` (natural | lab) and ``smoothing`` (none | moving_average | lds, within
    each segment, DE and PSD alike) are the lab's recipe options; the file's
    ``feature_recipe`` attribute records them. Other features given per window
    (``other_kind`` ``lab_eye_features``: one row per window, checked by the reader)
    are taken as they are.
    """
    check_option("de_scale", de_scale, DE_SCALES)
    smooth_clip(np.zeros((1, 1)), smoothing)  # rejects an unknown smoothing before any work
    if step_s <= 0 or window_s <= 0:
        raise ValueError(f"window_s and step_s must be positive, got {window_s}, {step_s}")
    for name, (lo, hi) in bands.items():
        problem = band_problem(lo, hi, sfreq=recording.sfreq)
        if problem:
            raise ValueError(f"band {name!r} = [{lo}, {hi}] Hz: {problem}")
    log_bias = band_log_bias(sfreq=recording.sfreq, bands=bands, window_s=window_s)
    source = next(iter(recording.source_files), recording.name)

    def window_features(seg: Segment, what: str):
        """(DE, PSD, other, window starts in s) of one segment's windows."""
        starts = window_starts(seg.eeg.shape[1], sfreq=recording.sfreq, window_s=window_s, step_s=step_s)
        if starts.size == 0:
            raise DataFormatError(
                source,
                f"{what} {seg.index} is {seg.eeg.shape[1] / recording.sfreq:.2f} s long, "
                f"shorter than one {window_s} s window",
            )
        power, psd = band_power(seg.eeg, sfreq=recording.sfreq, bands=bands, window_s=window_s, step_s=step_s)
        starts_s = starts / recording.sfreq
        other = other_features(recording, seg, starts_s=starts_s, window_s=window_s, step_s=step_s,
                                source=source, what=what)
        de = lab_de(psd) if de_scale == "lab" else differential_entropy(power, log_bias=log_bias)
        return de, psd, other, starts_s

    de_all, psd_all, other_all, seg_all, start_all, label_all = [], [], [], [], [], []
    for seg in recording.segments:
        de, psd, other, starts_s = window_features(seg, "segment")
        if seg.baseline is not None:  # the baseline's mean features subtracted (DREAMER's paper)
            base_de, base_psd, base_other, _ = window_features(seg.baseline, "baseline of segment")
            de, psd, other = de - base_de.mean(0), psd - base_psd.mean(0), other - base_other.mean(0)
        de_all.append(smooth_clip(de, smoothing))
        psd_all.append(smooth_clip(psd, smoothing))
        other_all.append(other)
        seg_all.append(np.full(starts_s.size, seg.index))
        start_all.append(starts_s)
        label_all.append(np.tile(seg.labels, (starts_s.size, 1)))
        log.info("segment %d: %d windows", seg.index, starts_s.size)
    other_names = other_feature_names(recording)
    baseline = {"baseline_subtracted": True} if any(seg.baseline is not None for seg in recording.segments) else {}
    recipe = {"feature_recipe": recipe_attrs(window_s=window_s, step_s=step_s, de_scale=de_scale,
                                             smoothing=smoothing)}
    return _feature_file(
        recording, de=de_all, psd=psd_all, other=other_all, segment=seg_all, start_s=start_all, labels=label_all,
        bands=bands, window_s=window_s, step_s=step_s, other_kind=recording.other_kind, other_names=other_names,
        attrs={**recipe, **baseline, **(attrs or {})},
    )


def _feature_file(
    recording: Recording, *, de: list, psd: list, other: list, segment: list, start_s: list, labels: list,
    bands: Mapping, window_s: float, step_s: float, other_kind: str, other_names: Sequence[str],
    attrs: Mapping | None, qc: dict | None = None,
) -> FeatureFile:
    """A FeatureFile from per-segment arrays (concatenated in segment order) and the
    attributes every feature file carries; ``attrs`` adds to or overrides them."""
    file_attrs = {
        "recording": recording.name,
        "sfreq": recording.sfreq,
        "bands": {k: list(v) for k, v in bands.items()},
        "window_s": window_s,
        "step_s": step_s,
        "ch_names": list(recording.ch_names),
        "label_names": list(recording.label_names),
        "other_kind": other_kind,
        "other_feature_names": list(other_names),
        "source_files": recording.source_files,
        # What experiments and tables need to know about the dataset, so they never ask
        # which dataset it is: label semantics, subject, caption.
        "dataset": recording.dataset,
        "subject": recording.subject,
        "classes": {name: spec.as_attrs() for name, spec in recording.classes.items()},
        "package_version": package_version(),
        # several sessions in one file: segment = (session - 1) * trials_per_session + trial
        **({"trials_per_session": recording.trials_per_session} if recording.trials_per_session else {}),
        **(attrs or {}),
    }
    return FeatureFile(
        de=np.concatenate(de), psd=np.concatenate(psd), other=np.concatenate(other),
        segment=np.concatenate(segment), start_s=np.concatenate(start_s), labels=np.concatenate(labels),
        attrs=file_attrs, qc=qc,
    )


# --- stages called by the Snakemake rules --------------------------------------------


def feature_stage(
    *, dataset: str, inputs: Mapping[str, str], bandpass: Mapping, bands: Bands, window_s: float, step_s: float,
    output: str, read_options: Mapping | None = None, attrs: Mapping | None = None, provenance: Mapping | None = None,
    de_scale: str = "natural", smoothing: str = "none", recording: str = "",
) -> None:
    """The whole feature job of one recording: read its files (preprocessed or raw entry,
    by role, see ``datasets.<name>.input_files``), bandpass the EEG, window it, compute
    DE/PSD and the other modality's features, write the feature HDF5 atomically.

    ``bandpass`` is ``{"l_freq": ..., "h_freq": ...}``; ``read_options`` go to the
    dataset's ``read`` (e.g. ``cnt_data_format``), and the ``recording`` name too when the
    reader takes it (a file holding several recordings: DREAMER.mat).
    """
    import inspect

    from ..datasets import get
    from ..store import write_features

    module = get(dataset)
    name = {"recording": recording} if "recording" in inspect.signature(module.read).parameters else {}
    recording = module.read(dict(inputs), **name, **dict(read_options or {}))
    if recording.shipped is not None:  # the dataset ships its features: nothing to filter (see the end of this module)
        write_features(output, shipped_feature_file(
            recording, attrs={"caption": module.TABLE_CAPTION, **(attrs or {}), "provenance": dict(provenance or {})}))
        return
    log.info("Read %s: %d segments, %d channels at %g Hz", recording.name, len(recording.segments),
             len(recording.ch_names), recording.sfreq)
    qc = {"channel_sd": channel_sd(recording), "segment_ids": np.array([seg.index for seg in recording.segments]),
          "segment_samples": np.array([seg.eeg.shape[1] for seg in recording.segments])}
    qc["freqs"], qc["psd_raw"] = mean_channel_psd(recording)
    l_freq, h_freq = bandpass.get("l_freq"), bandpass.get("h_freq")
    filtered = bandpass_recording(recording, l_freq=l_freq, h_freq=h_freq)
    del recording
    qc["psd_filtered"] = mean_channel_psd(filtered)[1]
    features = extract_features(
        filtered, bands=bands, window_s=window_s, step_s=step_s, de_scale=de_scale, smoothing=smoothing,
        attrs={"bandpass": [l_freq, h_freq], "caption": module.TABLE_CAPTION, **(attrs or {}),
               "provenance": dict(provenance or {})},
    )
    reference = getattr(module, "lab_reference", None)
    lab = reference(dict(inputs), window_s=window_s) if reference and window_s == step_s else None
    if lab is not None:  # the lab's released DE of the same recording: agreement for the QC page
        features.attrs["lab_agreement"] = lab_agreement(features, lab)
        log.info("Agreement with %s: correlation per band %s", lab["origin"],
                 [round(c, 3) for c in features.attrs["lab_agreement"]["correlation"]])
    features.qc = qc
    write_features(output, features)
    log.info("Wrote %s: %d windows, EEG %s, other %s", output, features.de.shape[0],
             features.de.shape[1:], features.other.shape[1:])


# --- features the dataset ships (SEED ExtractedFeatures, SEED_Multimodal) ------------


def shipped_feature_file(recording: Recording, *, attrs: Mapping | None = None) -> FeatureFile:
    """The feature file of a recording whose reader returned the dataset's own features.

    DE/PSD (and shipped other features) are taken as they are; an :class:`EyeClip` in a
    segment's ``other`` is turned into our 41 eye features on the shipped windows. PSD
    not shipped is stored as NaN (``psd_shipped`` attribute false). The attributes are
    those of :func:`extract_features`, with ``window_s``/``step_s``/``bands`` of the shipped
    features and ``feature_origin`` saying whose features they are.
    """
    info = recording.shipped
    de_all, psd_all, other_all, seg_all, start_all, label_all = [], [], [], [], [], []
    for seg in recording.segments:
        windows = seg.shipped
        n = windows.de.shape[0]
        if windows.other is not None:
            other = windows.other
        elif isinstance(seg.other, EyeClip):
            other = eye_features(seg.other, starts_s=windows.start_s, window_s=info.window_s)
        else:
            other = np.zeros((n, 0))
        de_all.append(windows.de)
        psd_all.append(windows.psd if windows.psd is not None else np.full(windows.de.shape, np.nan))
        other_all.append(other)
        seg_all.append(np.full(n, seg.index))
        start_all.append(windows.start_s)
        label_all.append(np.tile(seg.labels, (n, 1)))
    other_kind = info.other_kind or recording.other_kind
    if info.other_names:
        other_names = list(info.other_names)
    elif other_kind == "eye_movements":
        other_names = eye_feature_names()
    else:
        other_names = []
    shipped_attrs = {
        "bandpass": None,  # the shipped features' own filtering, not ours
        "feature_origin": info.origin,
        "psd_shipped": all(seg.shipped.psd is not None for seg in recording.segments),
        "dropped_windows": info.dropped_windows,
        **(attrs or {}),
    }
    n_channels = len(recording.ch_names)
    # QC arrays (store.read_qc): no signal was read, so the signal-level ones are empty
    # (not measured); a segment's length is the span its windows cover.
    qc = {"channel_sd": np.zeros(0), "freqs": np.zeros(0), "psd_raw": np.zeros((n_channels, 0)),
          "psd_filtered": np.zeros((n_channels, 0)),
          "segment_ids": np.array([seg.index for seg in recording.segments]),
          "segment_samples": np.array([int(round((seg.shipped.start_s[-1] + info.window_s) * recording.sfreq))
                                       for seg in recording.segments])}
    return _feature_file(
        recording, de=de_all, psd=psd_all, other=other_all, segment=seg_all, start_s=start_all, labels=label_all,
        bands=info.bands, window_s=info.window_s, step_s=info.step_s, other_kind=other_kind,
        other_names=other_names, attrs=shipped_attrs, qc=qc,
    )
