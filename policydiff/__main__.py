"""Run the command line as ``python -m policydiff``."""

from policydiff._cli import entry_point

if __name__ == "__main__":
    entry_point()
