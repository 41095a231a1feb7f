"""Measuring quality: labelled sets, metrics, evaluation runs."""
