"""Reference lines of the accuracy figures: labels that do not overlap, within the axis;
reference rows per dataset from resources/paper_reference.tsv."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multimodal_emotion import datasets
from multimodal_emotion.datasets import RESOURCES
from multimodal_emotion.reporting import label_positions


def test_label_positions_keep_a_gap_and_stay_on_the_axis():
    values = [83.04, 83.82, 84.18, 85.2]  # DEAP valence's reported numbers: within 2.2 points
    positions = label_positions(values, gap=3.5, top=104.0)
    assert np.all(np.diff(positions) >= 3.5 - 1e-9) and positions[0] == values[0]
    high = label_positions([97.0, 98.0, 99.0], gap=3.5, top=104.0)
    assert high[-1] <= 104.0 - 3.5 + 1e-9 and np.all(np.diff(high) >= 3.5 - 1e-9)
    assert label_positions([]) == []


def test_every_reference_row_names_a_registered_dataset_and_the_family_has_its_dcca_numbers():
    reference = pd.read_csv(RESOURCES / "paper_reference.tsv", sep="\t", comment="#")
    assert set(reference["dataset"]) <= set(datasets.NAMES)
    dcca = reference[reference["method"].str.startswith("DCCA")].set_index("dataset")["mean"]
    assert (dcca["seed_iv"], dcca["seed_v"]) == (87.45, 83.08)
    dreamer = reference[reference["dataset"] == "dreamer"].set_index("task")
    assert dreamer.loc[["arousal", "valence", "dominance"], "mean"].tolist() == [89.0, 90.6, 90.7]
    assert set(dreamer["model"]) == {"dcca"}


def test_reference_rows_name_a_model_and_sit_beside_its_measured_rows():
    from multimodal_emotion.models import MODELS
    from multimodal_emotion.reporting import reference_rows_beside_models

    reference = pd.read_csv(RESOURCES / "paper_reference.tsv", sep="\t", comment="#")
    assert set(reference["model"]) <= set(MODELS)  # config names of the default run = class names
    reported = reference.set_index(["dataset", "task", "model"])["mean"]
    assert reported[("seed", "emotion", "bdae")] == 91.01 and np.isnan(reported[("seed", "emotion", "subnetwork_nodes")])
    assert (reported[("deap", "arousal", "mesae")], reported[("deap", "valence", "mesae")]) == (84.18, 83.04)
    assert (reported[("deap", "arousal", "bdae")], reported[("deap", "valence", "bdae")]) == (80.5, 85.2)
    table = pd.DataFrame({
        "task": ["a", "a", "a", "a", "a", "a"],
        "selection": ["test", "test", "validation", "validation", "reported", "reported"],
        "model": ["m1", "m2", "m1", "m2", "m2", "other"],
        "source": ["this run"] * 4 + ["paper", "paper"],
    })
    ordered = reference_rows_beside_models(table)
    assert list(zip(ordered["model"], ordered["selection"])) == [
        ("m1", "validation"), ("m1", "test"), ("m2", "validation"), ("m2", "test"), ("m2", "reported"),
        ("other", "reported")]
