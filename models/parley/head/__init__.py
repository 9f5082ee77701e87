"""The open FLAME-structured Parley head: component spec, mesh generator, glTF writer and PyTorch model."""
