"""The upload holds Python's cyclic garbage collector off while it works, and gives it back as
it found it."""

import gc

import pytest

from credentials.client_import.engine import collection_paused


@pytest.fixture
def collector_state():
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after(collector_state):
    gc.enable()

    with collection_paused():
        inside = gc.isenabled()

    assert (inside, gc.isenabled()) == (False, True)


def test_a_collector_turned_off_elsewhere_stays_off(collector_state):
    gc.disable()

    with collection_paused():
        pass

    assert not gc.isenabled()


def test_an_error_inside_gives_the_collector_back(collector_state):
    gc.enable()

    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("stop")

    assert gc.isenabled()
