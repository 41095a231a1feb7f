"""`python -m kb`: the same command line as `kb`."""

from kb.cli import main

main(prog_name="kb")
