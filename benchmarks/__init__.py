"""Speed measurements: each script prints figures against a baseline measured in the same run."""
