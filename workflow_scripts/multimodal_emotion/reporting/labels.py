"""What the tables and figures call the models, selection modes and normalisations (a protocol
kind's label is its module's ``LABEL``, ``protocols/``)."""

from __future__ import annotations

MODEL_LABELS = {
    "feature_fusion": "Feature fusion (RBF-SVM)",
    "linear_svm": "Linear SVM",
    "linear_svm_eeg": "Linear SVM, EEG only",
    "linear_svm_other": "Linear SVM, other modality only",
    "bddae": "BDDAE",
    "dcca": "DCCA, after Liu et al. 2021 (re-implemented)",
    "bdae": "BDAE, after Liu et al. 2016 (re-implemented)",
    "bdae_lab_code": "BDAE, set-up of the authors' public code (re-implemented)",
    "mesae": "MESAE, after Yin et al. 2017 (re-implemented)",
    "subnetwork_nodes": "Subnetwork nodes, EEG, after Yang et al. 2017 (re-implemented)",
    "bimodal_lstm": "Bimodal-LSTM",
    "bimodal_lstm_no_context": "Bimodal-LSTM, no temporal context",
    "training_majority": "Training majority (floor: predicts the training split's majority class)",
    "clip_duration": "Clip duration only (leak: the trial's length, no EEG or eye data)",
}
#: The pseudo-model of the floor rows (:func:`~.statistics.training_majority`); no paired test.
TRAINING_MAJORITY = "training_majority"
SELECTION_LABELS = {
    "validation": "selected on validation (honest)",
    "test": "best of N on test (paper's protocol, optimistic)",
}
REFERENCE_MODEL = "bimodal_lstm"
#: What the top row of the learning-curve figure shows for models not trained on J.
TRAINING_LOSS_LABELS = {
    "bdae": "fine-tuning reconstruction MSE (log)",
    "mesae": "fusion network cross-entropy (log)",
    "subnetwork_nodes": "squared error per node added (log)",
}


NORMALISATION_LABELS = {
    "training": "scalers fitted on the training split only",
    "per_subject": "PER-SUBJECT STANDARDISATION: every subject (cross_session: session) scaled by its own "
                   "statistics, the test subject's included (transductive)",
}


def natural_order(value) -> str:
    """Subject ids in numeric order ("2" before "10")."""
    return str(value).zfill(8)
