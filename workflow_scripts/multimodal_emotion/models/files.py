"""The files every saved model has (:meth:`~.base.EmotionModel.save`), in a module of their
own: the merge jobs read them without importing any model (or scikit-learn)."""

#: The model class and its hyper-parameters.
HYPERPARAMETER_FILE = "hyperparameters.json"
#: What fitting set besides the weights (classes, sizes, training history).
STATE_FILE = "state.json"
