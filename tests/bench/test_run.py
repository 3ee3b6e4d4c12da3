"""The bench harness's results file."""

from bench.run import merged_results


def test_a_partial_run_replaces_its_scenarios_and_keeps_the_others():
    before = [
        {"name": "stats", "median_ms": 90},
        {"name": "bulk upload preview 20,000 rows", "outcome": "n/a"},
    ]
    measured = [
        {"name": "bulk upload preview 20,000 rows", "median_ms": 1500},
        {"name": "bulk upload preview 2,000 rows", "median_ms": 150},
    ]

    assert merged_results(before, measured) == [
        {"name": "stats", "median_ms": 90},
        {"name": "bulk upload preview 20,000 rows", "median_ms": 1500},
        {"name": "bulk upload preview 2,000 rows", "median_ms": 150},
    ]
