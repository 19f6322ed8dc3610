import pytest

from aegis import catalog
from aegis.catalog import Kind
from aegis.errors import UnknownNameError


def test_backend_is_always_included_and_not_reported_as_implied() -> None:
    selection = catalog.resolve()
    assert selection.components == ("backend",)
    assert selection.services == ()
    assert selection.implied == {}


def test_auth_pulls_in_database_and_says_so() -> None:
    selection = catalog.resolve(services=["auth"])
    assert selection.components == ("backend", "database")
    assert selection.services == ("auth",)
    assert selection.implied == {"database": "auth"}


def test_explicitly_requested_requirement_is_not_implied() -> None:
    selection = catalog.resolve(components=["database"], services=["auth"])
    assert selection.implied == {}


def test_results_follow_catalog_order_whatever_the_input_order() -> None:
    selection = catalog.resolve(components=["database", "backend"])
    assert selection.components == ("backend", "database")


def test_unknown_name_lists_valid_names() -> None:
    valid = "backend, database, redis, auth"
    with pytest.raises(UnknownNameError, match=f"unknown name 'kafka'.*{valid}"):
        catalog.get("kafka")


@pytest.mark.parametrize(
    ("kind", "valid"),
    [
        ("components", "valid components: backend, database, redis"),
        ("services", "valid services: auth"),
    ],
)
def test_an_unknown_name_lists_only_the_valid_names_of_its_option(kind: str, valid: str) -> None:
    with pytest.raises(UnknownNameError) as raised:
        catalog.resolve(**{kind: ["kafka"]})
    assert str(raised.value) == f"unknown {kind[:-1]} 'kafka' ({valid})"


def test_service_given_as_component_is_rejected() -> None:
    with pytest.raises(UnknownNameError, match="'auth' is a service, not a component"):
        catalog.resolve(components=["auth"])


def test_every_requirement_names_a_catalog_entry() -> None:
    for entry in catalog.CATALOG:
        for needed in entry.requires:
            assert catalog.get(needed).name == needed


def test_combinations_are_the_distinct_resolved_selections() -> None:
    names = [selection.names for selection in catalog.combinations()]
    assert names == [
        ("backend",),
        ("backend", "database"),
        ("backend", "redis"),
        ("backend", "database", "auth"),
        ("backend", "database", "redis"),
        ("backend", "database", "redis", "auth"),
    ]


def test_entries_filters_by_kind() -> None:
    assert [e.name for e in catalog.entries(Kind.SERVICE)] == ["auth"]
