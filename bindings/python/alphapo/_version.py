"""The package version. Its major.minor must match the loaded libalphapo (checked at load)."""

__version__ = "0.1.0"
