"""A real GraphQL client against a Civitas server: PyPI's gql fetches the schema by the standard
introspection query (as GraphiQL, codegen tools and Apollo do), then validates and runs queries
against it on the client side. Prints one line per check; exits non-zero on the first failure.

usage: gql_introspection.py URL
"""

import sys

from gql import Client, gql
from gql.transport.requests import RequestsHTTPTransport
from graphql import GraphQLError


def main(url: str) -> None:
    transport = RequestsHTTPTransport(url=url, headers={"Accept-Language": "en"}, timeout=30)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        schema = session.client.schema
        assert schema is not None, "no schema fetched"
        names = sorted(schema.type_map)
        assert "Ticket" in names and "AuditEntry" in names, names
        print(f"schema fetched: {len(names)} types")
        result = session.execute(gql("{ districts { id name } }"))
        assert len(result["districts"]) == 3, result
        print(f"query ran: {len(result['districts'])} districts")
        try:
            session.execute(gql("{ districts { nonsense } }"))
        except GraphQLError as error:
            print(f"refused on the client side: {error.message}")
        else:
            raise AssertionError("a field the schema lacks was not caught")


if __name__ == "__main__":
    main(sys.argv[1])
