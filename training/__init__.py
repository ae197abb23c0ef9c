"""Training: config, data validation, the training loop, evaluation, baselines and the model card."""
