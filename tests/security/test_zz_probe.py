from django.urls import resolve
from tests.test_authorization_matrix import ROLES, client_for, project_routes, route_path, outcome, cast  # noqa


def test_probe(cast):
    clients = {role: client_for(role, cast) for role in ROLES}
    out = []
    for route in project_routes():
        path = route_path(route, cast)
        m = resolve(path)
        row = {}
        for role in ROLES:
            method = "get"
            r = getattr(clients[role], method)(path)
            row[role] = outcome(r)
        out.append(f"{route.key:45} {path:60} {m.route==route.pattern!s:5} " + " ".join(f"{str(row[r]):>20}" for r in ROLES))
    print("\n".join(out))
