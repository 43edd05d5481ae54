"""The users of bench/mixed_load.py, for locust (bench/requirements.txt): visitors who browse and search,
and signed-in applicants who submit an application (and withdraw it, so the next one may be sent).

Read by `locust -f bench/mixed_load_locust.py`; the script hands it a JSON file (MIXED_LOAD_PLAN)
with the applicants' sessions and the pages to visit, and gets back per-second counts of answers by
class and the latencies (MIXED_LOAD_RESULT). A 503 with `Retry-After` is the portal saying its
database is away for a moment (a clean failure, counted apart); every other answer of 500 or more,
and every connection error, is a server error; a redirect or a 4xx is an answer the portal meant to give.
"""

import json
import os
import random
import threading
import time
import uuid
from collections import defaultdict

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["MIXED_LOAD_PLAN"]).read())
RESULT = os.environ["MIXED_LOAD_RESULT"]
_lock = threading.Lock()
_seconds = defaultdict(lambda: defaultdict(int))  # second since start → class → count
_latencies = defaultdict(list)  # kind → ms
_statuses = defaultdict(int)
_start = time.time()
_identities = list(PLAN["applicants"])


def record(kind: str, response) -> None:
    status = response.status_code or 0
    if status == 503 and response.headers.get("Retry-After"):
        outcome = "unavailable"
    elif status == 0 or status >= 500:
        outcome = "server_error"
    elif status >= 400:
        outcome = "client_error"
    else:
        outcome = "ok"
    with _lock:
        _seconds[int(time.time() - _start)][outcome] += 1
        _statuses[f"{kind} {status}"] += 1
        if outcome == "ok":
            _latencies[kind].append(response.elapsed.total_seconds() * 1000)


def get(client, kind: str, path: str, name: str):
    with client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
        record(kind, response)
        if response.status_code == 0 or response.status_code >= 500:
            response.failure(f"server error {response.status_code}")
        else:
            response.success()
        return response


class Visitor(HttpUser):
    """Reads the public pages and searches, as most people do."""

    weight = 4
    wait_time = between(0.5, 1.5)

    @task(6)
    def browse(self):
        path = random.choice(PLAN["browse"])
        get(self.client, "browse", path, "browse")

    @task(3)
    def search(self):
        term = random.choice(PLAN["terms"])
        path = random.choice(["/projects/?q=", "/projects/?stage=development&q="]) + term
        get(self.client, "search", path, "search")


class Applicant(HttpUser):
    """A signed-in representative: the cabinet, then an application submitted and withdrawn."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        with _lock:
            self.me = _identities.pop(0) if _identities else random.choice(PLAN["applicants"])
        # A fixed Cookie header: the session and the CSRF secret made by the script (requests then adds none of its own).
        self.client.headers["Cookie"] = (
            f"{PLAN['session_cookie']}={self.me['session']}; {PLAN['csrf_cookie']}={self.me['csrf']}"
        )
        self.turn = 0

    @task(2)
    def cabinet(self):
        get(self.client, "browse", "/cabinet/", "cabinet")

    @task(1)
    def submit(self):
        association = self.me["associations"][self.turn % len(self.me["associations"])]
        self.turn += 1
        data = {
            "csrfmiddlewaretoken": self.me["csrf"],
            "form_token": uuid.uuid4().hex,
            "organisation": self.me["organisation"],
            "associations": association,
            "motivation": "Нагрузочный тест: хотим участвовать в совместных проектах объединения.",
            "competences": "Печать крупногабаритных деталей, промышленный дизайн.",
            "action": "submit",
        }
        with self.client.post(
            "/cabinet/applications/new/", data=data, name="submit", allow_redirects=False, catch_response=True
        ) as response:
            record("submit", response)
            location = response.headers.get("Location", "")
            if response.status_code == 0 or response.status_code >= 500:
                response.failure(f"server error {response.status_code}")
                return
            response.success()
        if "/cabinet/applications/" not in location or location.rstrip("/").endswith("new"):
            return
        detail = location.split("://", 1)[-1]
        detail = detail[detail.index("/") :] if not location.startswith("/") else location
        get(self.client, "browse", detail, "application")
        with self.client.post(
            detail + "withdraw/",
            data={"csrfmiddlewaretoken": self.me["csrf"], "comment": ""},
            name="withdraw",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            record("withdraw", response)
            if response.status_code == 0 or response.status_code >= 500:
                response.failure(f"server error {response.status_code}")
            else:
                response.success()


@events.test_stop.add_listener
def write_result(**kwargs):
    with _lock:
        result = {
            "seconds": {str(second): dict(counts) for second, counts in sorted(_seconds.items())},
            "statuses": dict(_statuses),
            "latencies": {kind: values for kind, values in _latencies.items()},
        }
    with open(RESULT, "w") as out:
        json.dump(result, out)
