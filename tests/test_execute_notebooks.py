"""scripts/execute_notebooks.py stores the same bytes however the kernel split its output."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
from nbval.plugin import coalesce_streams

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "execute_notebooks.py"
spec = importlib.util.spec_from_file_location("execute_notebooks", SCRIPT)
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)


def stream(name: str, text: str):
    return nbformat.v4.new_output("stream", name=name, text=text)


def figure():
    return nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"})


def test_chunks_of_one_print_become_one_output_whatever_the_split():
    one = [stream("stdout", "sigmoid per tag: [0.9 0.8]\n")]
    two = [stream("stdout", "sigmoid per tag:"), stream("stdout", " [0.9 0.8]\n")]
    assert execute_notebooks.merge_streams(two) == execute_notebooks.merge_streams(one) == one


def test_only_consecutive_streams_of_the_same_name_merge():
    outputs = [
        stream("stdout", "a"),
        stream("stdout", "b\n"),
        stream("stderr", "warning\n"),
        stream("stdout", "c\n"),
        figure(),
        stream("stdout", "d\n"),
    ]
    merged = execute_notebooks.merge_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "ab\n"),
        ("stream", "stderr", "warning\n"),
        ("stream", "stdout", "c\n"),
        ("display_data", None, None),
        ("stream", "stdout", "d\n"),
    ]


def test_nbval_sees_the_same_outputs_before_and_after_merging():
    def outputs():
        return [
            stream("stdout", "x ="),
            stream("stdout", " 1\n"),
            figure(),
            stream("stdout", "y\n"),
        ]

    merged = execute_notebooks.merge_streams(outputs())
    assert coalesce_streams(merged) == coalesce_streams(outputs())
