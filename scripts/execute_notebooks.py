"""Re-execute notebooks in place and store their outputs (the nbval baseline).

Usage: python scripts/execute_notebooks.py book/*.ipynb

Each notebook runs in a fresh kernel from the current environment, with its
own folder as the working directory, exactly as nbval will run it.

Consecutive stream outputs of the same name (stdout, stderr) are merged into
one: the kernel sends printed text in chunks whose boundaries vary from run to
run, so without this an unchanged notebook would be rewritten by every run.
nbval merges every stream of a name within a cell before it compares, so the
merging changes nothing that nbval sees.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def merge_streams(outputs: list) -> list:
    """Merge each run of consecutive stream outputs of the same name into one."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nbformat.write(notebook, path)
    return time.perf_counter() - start


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for name in paths:
        seconds = execute(Path(name))
        print(f"executed {name} in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
