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


def test_only_skips_a_provider_whose_scenarios_it_cannot_name(monkeypatch):
    from bench import scenarios

    asked = []

    def slow(context):
        asked.append("slow")
        return []

    slow.names_start = "deadlines"
    monkeypatch.setattr(scenarios, "PROVIDERS", [slow])

    scenarios.scenarios_for(context=None, only="list")
    assert asked == []
    scenarios.scenarios_for(context=None, only="deadlines: client")
    scenarios.scenarios_for(context=None, only="")
    assert asked == ["slow", "slow"]
