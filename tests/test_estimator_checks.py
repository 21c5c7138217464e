"""Every registered model is a scikit-learn estimator: ``sklearn.utils.estimator_checks`` on each.

The models take arrays as :class:`~multimodal_emotion.models.base.EmotionModel` documents
(``X`` = EEG columns then the other modality's, split at ``n_eeg_features``; ``groups`` =
trial ids). Each model runs with tiny settings (few units, few epochs) set through
``set_params``, so the whole file stays in the CI suite. A check that is not run is listed
in :data:`SKIPPED` with its reason.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import estimator_checks_generator

from multimodal_emotion.models import MODELS

#: Tiny settings per model (``n_eeg_features=1``: the bimodal models split the checks'
#: arrays into one EEG column and the rest as the other modality). A model not listed
#: (a new one) is checked with its defaults.
TINY = {
    "bimodal_lstm": dict(eeg_hidden=4, other_hidden=2, sequence_length=2, max_epochs=3, patience=2,
                         n_eeg_features=1),
    "bddae": dict(eeg_hidden=4, other_hidden=2, shared_hidden=3, pretrain_epochs=2, max_epochs=3, patience=2,
                  n_eeg_features=1),
    "dcca": dict(eeg_hidden=[4], other_hidden=[4], output_size=2, max_epochs=3, patience=2, batch_size=None,
                 n_eeg_features=1),
    "bdae": dict(eeg_hidden=8, other_hidden=4, shared_hidden=8, rbm_epochs=5, max_epochs=30, patience=30,
                 batch_size=32, n_eeg_features=1),
    "mesae": dict(eeg_subsets=1, other_subsets=1, sae_hidden=[4], pretrain_epochs=2, group_units=4, fusion_units=8,
                  max_epochs=30, patience=30, learning_rate=0.05, batch_size=32, n_eeg_features=1),
    "subnetwork_nodes": dict(node_size=5, max_epochs=3),
    "linear_svm": {},
    "feature_fusion": {},
    "clip_duration": {},
}

#: The checks the TensorFlow models run: the contract's parameter and fitted-state checks
#: (no fit, or one) and what is the networks' own: pickling (traced functions are dropped
#: and rebuilt) and windows scored independently of the other rows. Every other check fits
#: the model several times, and each fit builds and traces a Keras network (3-20 s on a
#: shared CI core; the full 45 checks took 200 s for the Bimodal-LSTM alone); the array
#: interface they test is EmotionModel's, shared by all models and checked in full on the
#: NumPy and scikit-learn models.
TF_CHECKS = {
    "check_estimator_cloneable", "check_no_attributes_set_in_init", "check_parameters_default_constructible",
    "check_get_params_invariance", "check_set_params", "check_do_not_raise_errors_in_init_or_set_params",
    "check_estimator_repr", "check_estimator_tags_renamed", "check_valid_tag_types", "check_mixin_order",
    "check_estimators_unfitted", "check_classifiers_regression_target", "check_fit_check_is_fitted",
    "check_estimators_pickle", "check_methods_subset_invariance",
}
TF_REASON = "TensorFlow model: not in TF_CHECKS (each fit builds and traces a network; see TF_CHECKS)"

#: Checks not run, per model, with the reason.
SKIPPED: dict[str, dict[str, str]] = {
    "linear_svm": {},
    "feature_fusion": {},
    "subnetwork_nodes": {},
    "bdae": {},
    "mesae": {},
    # reads no feature column: its input is each trial's duration (the windows sharing a ``groups`` id), which
    # these checks do not give (every window its own trial), so it cannot fit their data; tests/test_seed_vii.py
    # tests what it measures
    "clip_duration": {"check_classifiers_train": "reads no feature: predicts from the trial's duration only"},
}


def _check_name(check) -> str:
    return getattr(check, "func", check).__name__


def _cases():
    for name, cls in MODELS.items():
        estimator = cls().set_params(**TINY.get(name, {}))  # a new model: its defaults
        tensorflow = cls.needs_tensorflow
        for est, check in estimator_checks_generator(estimator, legacy=True):
            check_name = _check_name(check)
            reason = (TF_REASON if tensorflow and check_name not in TF_CHECKS
                      else SKIPPED.get(name, {}).get(check_name))
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            yield pytest.param(est, check, id=f"{name}-{check_name}", marks=marks)


@pytest.mark.parametrize("estimator,check", list(_cases()))
def test_sklearn_estimator_check(estimator, check):
    logging.disable(logging.INFO)  # the models log every epoch
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(estimator)
    finally:
        logging.disable(logging.NOTSET)


def test_every_registered_model_is_checked():
    checked = {case.id.split("-")[0] for case in _cases() if not case.marks}
    assert checked == set(MODELS)
    assert set(TINY) <= set(MODELS) and set(SKIPPED) <= set(MODELS)


def test_cross_val_score_with_trial_groups():
    """The array interface in scikit-learn's model selection: trials kept whole
    (StratifiedGroupKFold), string labels, the columns split at ``n_eeg_features``. The
    effect is in the EEG columns only, so the EEG model scores far above chance and the
    other-modality model at chance."""
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

    rng = np.random.default_rng(0)
    trials = np.repeat(np.arange(12), 10)
    labels = np.array(["negative", "neutral", "positive"])[trials % 3]
    eeg = rng.normal(size=(trials.size, 6)) + 1.5 * (trials % 3)[:, None]
    other = rng.normal(size=(trials.size, 2))
    X = np.hstack([eeg, other])

    def cv_accuracy(modality: str) -> float:
        model = MODELS["linear_svm"](modality=modality, n_eeg_features=6)
        scores = cross_val_score(model, X, labels, groups=trials, cv=StratifiedGroupKFold(3),
                                 params={"groups": trials})
        assert scores.shape == (3,)
        return scores.mean()

    assert cv_accuracy("eeg") > 0.75  # chance: 1/3
    assert cv_accuracy("other") < 0.55


def test_arrays_and_window_data_give_the_same_model():
    """The array interface is an adapter only: the same windows, in the same order, train
    the same Bimodal-LSTM as the workflow's WindowData; trials given in any row order
    (each trial's windows in time order) are scored as the same sequences."""
    from multimodal_emotion.models import BimodalLSTM, WindowData

    rng = np.random.default_rng(3)

    def windows(n_trials: int) -> WindowData:
        segment = np.repeat(np.arange(n_trials), 6)
        y = segment % 2
        return WindowData(eeg=rng.normal(size=(segment.size, 3)) + y[:, None], other=rng.normal(size=(segment.size, 2)),
                          y=y, segment=segment)

    train, test = windows(8), windows(4)
    params = dict(eeg_hidden=3, other_hidden=2, sequence_length=3, max_epochs=3, seed=2, n_eeg_features=3)
    logging.disable(logging.INFO)
    try:
        on_windows = BimodalLSTM(**params).fit(train)
        on_arrays = BimodalLSTM(**params).fit(np.hstack([train.eeg, train.other]), np.array(["a", "b"])[train.y],
                                               groups=train.segment)
    finally:
        logging.disable(logging.NOTSET)
    X_test = np.hstack([test.eeg, test.other])
    expected = on_windows.decision_function(test).astype(np.float64)  # the array path returns float64
    np.testing.assert_array_equal(on_arrays.decision_function(X_test, groups=test.segment),
                                  expected[:, 1] - expected[:, 0])
    # whole trials interleaved: rows 0, 6, 1, 7, ... of trials 0 and 1, then the rest
    order = np.concatenate([np.column_stack([np.arange(6), np.arange(6, 12)]).ravel(), np.arange(12, 24)])
    shuffled = on_arrays.predict(X_test[order], groups=test.segment[order])
    np.testing.assert_array_equal(shuffled, np.array(["a", "b"])[on_windows.predict(test)][order])
