"""The coverage, facets and statistics the bench generator writes (instead of a rebuild when it
loads without triggers) are those the database derives from the same rows."""

from collections import Counter

import pytest
from django.db import connection

from bench.portfolio import (
    COVERAGE_COLUMNS,
    FACET_COLUMNS,
    PortfolioSize,
    build_shard,
    copy_targets,
    load_catalog,
    plan_portfolio,
    portfolio_copy_text,
)
from bench.portfolio.load import _allocate_ids
from clients.models import ClientCoverage, ClientStatFacet, PortfolioStat
from clients.portfolio_stats import portfolio_drift, portfolio_rebuild


@pytest.mark.postgresql
def test_generated_coverage_facets_and_statistics_equal_a_rebuild_of_the_same_rows(organization):
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        portfolio, shards = plan_portfolio(
            organization_id=organization.pk,
            size=PortfolioSize(clients=300, credentials=900),
            catalog=load_catalog(),
            ids=_allocate_ids(cursor),
            shard_clients=100,
        )
        for shard in shards:
            portfolio.extend(build_shard(shard))
        # The data rows only: the triggers write the coverage and facets of each COPY.
        targets = copy_targets()
        for name, text in portfolio_copy_text(portfolio, targets).items():
            with cursor.copy(targets[name].statement) as copy:
                copy.write(text)
    portfolio_rebuild(organization_ids=[organization.pk])

    coverage = ClientCoverage.objects.filter(organization=organization)
    facets = ClientStatFacet.objects.filter(organization=organization)
    stats = PortfolioStat.objects.filter(organization=organization).exclude(clients=0)
    # The generator writes the catalog's country ids as text.
    kept_coverage = [
        (*row[:4], str(row[4]), *row[5:]) for row in coverage.values_list(*COVERAGE_COLUMNS)
    ]
    assert Counter(kept_coverage) == Counter(portfolio.coverage)
    assert Counter(facets.values_list(*FACET_COLUMNS)) == Counter(portfolio.facets)
    assert {(s.dimension, s.key): s.clients for s in stats} == dict(portfolio.stats)
    # Both sources, collective accounts (coverage without facets), NULL PROs and clients with
    # missing credentials are exercised.
    assert {row[3] for row in portfolio.coverage} == {"credential", "obligation"}
    assert {row[2] for row in portfolio.facets} == {"status", "country", "report_type", "missing"}
    assert any(row[2] for row in portfolio.coverage)
    assert any(row[6] is None for row in portfolio.coverage)
    assert portfolio_drift() == []
