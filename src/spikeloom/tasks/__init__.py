"""Learning tasks: spiking classifiers trained with classic or memristive STDP.

Sits above the model library: datasets, encoders (scaling, Gaussian receptive fields, rate
and latency codes), the group's two networks built from :mod:`spikeloom.models`, decoders
and the scikit-learn estimator :class:`MemristiveSNNClassifier`. See ``docs/learning.md``.
"""

from ._estimator import ENCODINGS as ENCODINGS
from ._estimator import NETWORKS as NETWORKS
from ._estimator import RULES as RULES
from ._estimator import MemristiveSNNClassifier as MemristiveSNNClassifier
from ._estimator import make_rule as make_rule
from ._experiment import ClassificationResult as ClassificationResult
from ._experiment import cross_validate as cross_validate
from ._report import results_table as results_table
from ._report import write_report as write_report
from .datasets import DATASETS as DATASETS
from .datasets import PUBLISHED as PUBLISHED
from .datasets import load_dataset as load_dataset
from .decoders import OwnRateDecoder as OwnRateDecoder
from .decoders import make_decoder as make_decoder
from .encoding import FeatureScaler as FeatureScaler
from .encoding import GaussianReceptiveFields as GaussianReceptiveFields
from .encoding import LatencyEncoder as LatencyEncoder
from .encoding import RateEncoder as RateEncoder
