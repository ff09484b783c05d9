"""Demo data for the marketplace: a deterministic, fictional dataset (see ``dataset.demo_dataset``)."""
