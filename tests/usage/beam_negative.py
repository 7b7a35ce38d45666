"""Wrong calls the type checkers must flag: each line marked `# E` must be reported,
and no other line."""

from __future__ import annotations

from uuid import UUID

import beam_api
from beam_api.models import Task


def wrong() -> None:
    client = beam_api.Client("token")
    client.web_endpoints.invoke_named_endpoint(42)  # E
    client.web_endpoints.invoke_named_endpoint_version("echo", "2")  # E
    client.tasks.get_task_status("not-a-uuid")  # E
    client.tasks.cancel_tasks([UUID(int=1)])  # E
    client.tasks.cancel_tasks(task_ids=["a"])  # E
    client.task_queues.submit_task_by_name("q", timeout="slow")  # E
    task: Task = client.task_queues.submit_task_by_name("q")  # E
    beam_api.Client(token=1)  # E
    beam_api.Client("t", max_retries="2")  # E
    client.tasks.no_such_method()  # E
    print(task)
