"""The project's PostgreSQL backend (`base`), and the one way to ask for its prepared cursor."""


def prepared_cursor(connection):
    """The connection's `prepared_cursor()` on PostgreSQL, its ordinary cursor elsewhere."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()
