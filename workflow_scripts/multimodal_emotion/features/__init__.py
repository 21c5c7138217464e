"""Bandpass filtering and windowed features: EEG DE/PSD, eye movements, peripheral signals, ECG.

Dataset-agnostic: everything here works on a :class:`~..recording.Recording`; which bands,
window and step apply is configuration, and the reader comes from the dataset registry.
One call of :func:`feature_stage` is the whole job of one recording: read (any entry),
bandpass, windows, features, HDF5, with nothing written in between.

``spectral`` (the FIR bandpass, band checks, windows, band power/PSD and the DE estimator),
``lab_recipe`` (the SEED lab's DE scale and smoothing, agreement with the lab's DE),
``modalities`` (eye-movement, peripheral and ECG features of the other modality), ``qc``
(channel SDs and spectra for the QC page), ``stage`` (a recording's feature file and the
rule's job). The names below are the package's interface.
"""

from .lab_recipe import (
    DE_SCALES,
    LAB_LDS,
    LAB_MOVING_AVERAGE_WINDOWS,
    SMOOTHINGS,
    band_agreement,
    lab_agreement,
    lab_de,
    lds_smooth,
    moving_average,
    recipe_attrs,
    smooth_clip,
)
from .modalities import (
    PERIPHERAL_STATS,
    PUPIL_BANDS,
    PUPIL_FREQ_RESOLUTION,
    eye_feature_names,
    eye_features,
    other_feature_names,
    other_features,
    peripheral_feature_names,
    peripheral_features,
)
from .qc import QC_PSD_MAX_WINDOWS, channel_sd, mean_channel_psd
from .spectral import (
    Bands,
    band_log_bias,
    band_power,
    band_problem,
    bandpass_problem,
    bandpass_recording,
    differential_entropy,
    fir_bandpass,
    window_starts,
    windowed_band_power,
)
from .stage import extract_features, feature_stage, shipped_feature_file

__all__ = [
    "DE_SCALES", "LAB_LDS", "LAB_MOVING_AVERAGE_WINDOWS", "PERIPHERAL_STATS", "PUPIL_BANDS", "PUPIL_FREQ_RESOLUTION",
    "QC_PSD_MAX_WINDOWS", "SMOOTHINGS", "Bands", "band_agreement", "band_log_bias", "band_power", "band_problem",
    "bandpass_problem", "bandpass_recording", "channel_sd", "differential_entropy", "extract_features",
    "eye_feature_names", "eye_features", "feature_stage", "fir_bandpass", "lab_agreement", "lab_de", "lds_smooth",
    "mean_channel_psd", "moving_average", "other_feature_names", "other_features", "peripheral_feature_names",
    "peripheral_features", "recipe_attrs", "shipped_feature_file", "smooth_clip", "window_starts",
    "windowed_band_power",
]
