"""Real training of NB201 cells: data readers, the trainer (CPU and GPU paths), the benchmark.

Importing the package is light; torch is imported by the functions that need it.

    data = load_dataset("cifar10-valid").subset(2000)
    result = train("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|",
                   data, TrainConfig(epochs=12, device="cuda"))
"""

from nasbench_suite.train.data import (
    TRAIN_DATASETS,
    DataBundle,
    Split,
    load_dataset,
    synthetic_dataset,
)
from nasbench_suite.train.trainer import TrainConfig, TrainResult, train

__all__ = ["TRAIN_DATASETS", "DataBundle", "Split", "TrainConfig", "TrainResult", "load_dataset",
           "synthetic_dataset", "train"]
