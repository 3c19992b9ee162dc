import threading

from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from prm.errors import ServiceError


def run_together(functions):
    """Run the functions at the same moment, each in a thread with its own connection; their results
    (or the ServiceError / PermissionDenied each raised) in order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except (ServiceError, PermissionDenied) as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return results
