"""Speed benchmarks: spikeloom beside Brian2 (and later BrainPy), measured in the same run."""
