"""options.precision over REST: the answer is the library's run to that precision, with what was reached."""

from __future__ import annotations

from apihelp import QUICK, SMALL_PROCESS_YAML
from fastapi.testclient import TestClient

from bpr.changes import apply_changes, parse_changes
from bpr.model.load import parse_process
from bpr.simulate import SimConfig
from bpr.simulate.precision import compare_to_precision, simulate_to_precision

OPTIONS = {k: v for k, v in QUICK.items() if k != "replications"}
CHANGES = [{"staff": {"clerk": 1}}, {"digitize": ["receive"]}]


def test_a_whatif_to_a_precision_is_the_library_answer_with_its_precision(client: TestClient) -> None:
    response = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
                                               "options": {**OPTIONS, "precision": 0.1, "max_replications": 40}})
    assert response.status_code == 200, response.text
    before = parse_process(SMALL_PROCESS_YAML)
    after = apply_changes(before, parse_changes(CHANGES, file="changes"), file="changes")
    comparison, precision = compare_to_precision(before, after, SimConfig(**OPTIONS), 0.1, 40)
    assert response.json() == {**comparison.to_dict(), "precision": precision.to_dict()}
    assert response.json()["precision"]["replications"] == comparison.before.config.replications


def test_a_simulation_to_a_precision_states_it(client: TestClient) -> None:
    response = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML,
                                                 "options": {**OPTIONS, "precision": 0.05}})
    assert response.status_code == 200, response.text
    most = response.json()["precision"]["max_replications"]
    assert most == 100  # the test server's limit, below the default of 200
    result, precision = simulate_to_precision(parse_process(SMALL_PROCESS_YAML), SimConfig(**OPTIONS), 0.05, most)
    assert response.json()["precision"] == precision.to_dict()
    assert response.json()["kpis"] == result.to_dict()["kpis"]


def test_bad_precision_options_are_named(client: TestClient) -> None:
    for options, path in (({"precision": 1.5}, "options.precision"), ({"precision": 0}, "options.precision"),
                          ({"max_replications": 50}, "options.max_replications"),
                          ({"precision": 0.02, "max_replications": 10**6}, "options.max_replications")):
        response = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
                                                   "options": {**OPTIONS, **options}})
        assert response.status_code == 422, (options, response.text)
        assert [issue["path"] for issue in response.json()["issues"]] == [path], response.text
