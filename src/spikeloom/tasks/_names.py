"""The choices of the learning tasks, in a module that imports nothing heavy.

The command line builds its options from these names; importing scikit-learn (about a second)
only to list them would slow every ``spikeloom`` command.
"""

#: data sets shipped with scikit-learn, by name
DATASETS: tuple[str, ...] = ("iris", "wisconsin", "digits")
#: other accepted spellings of the data-set names
DATASET_ALIASES: dict[str, str] = {"breast_cancer": "wisconsin"}
#: plasticity rules by name (see ``spikeloom.tasks.make_rule``)
RULES: tuple[str, ...] = ("stdp", "nc", "ppx")
NETWORKS: tuple[str, ...] = ("classwise", "wta")
ENCODINGS: tuple[str, ...] = ("temporal", "rate")
DECODERS: tuple[str, ...] = ("own-rate", "logistic", "boosting")
#: which CartPole ``spikeloom cartpole --env`` runs (see ``spikeloom.tasks.cartpole.make_env``)
CARTPOLE_ENVS: tuple[str, ...] = ("auto", "builtin", "gymnasium")
