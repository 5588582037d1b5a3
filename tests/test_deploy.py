"""The deployment files can't be run here (no Docker, no cluster): check that
they name things that exist and wire every process."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa.shared.utils.common import class_from_module_path

ROOT = Path(__file__).resolve().parent.parent


def test_production_endpoints_name_classes_that_exist() -> None:
    endpoints = yaml.safe_load((ROOT / "deploy" / "endpoints.yml").read_text(encoding="utf-8"))
    for section in ("nlg", "tracker_store", "lock_store"):
        assert class_from_module_path(endpoints[section]["type"])


def test_compose_runs_every_process_with_health_checks() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    assert {"postgres", "redis", "migrate", "actions", "rasa", "worker"} <= set(services)
    for name in ("postgres", "redis", "actions", "rasa"):
        assert "healthcheck" in services[name], name
    assert services["rasa"]["deploy"]["replicas"] >= 2
    assert "deploy/endpoints.yml" in " ".join(services["rasa"]["command"])


def test_every_setting_the_compose_file_needs_is_in_the_example_env() -> None:
    example = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    for name in ("IV_DATABASE_URL", "IV_REDIS_HOST", "IV_REDIS_PASSWORD", "IV_ACTION_SERVER_URL", "IV_ENCRYPTION_KEY",
                 "IV_ADDRESS_KEY", "IV_RASA_API_TOKEN", "IV_TWILIO_AUTH_TOKEN", "IV_TELEGRAM_SECRET_TOKEN"):  # fmt: skip
        assert f"\n{name}=" in example, name


def test_kubernetes_manifests_parse_and_expose_only_the_webhooks() -> None:
    documents = [
        d for f in (ROOT / "deploy" / "k8s").glob("*.yaml") for d in yaml.safe_load_all(f.read_text())
    ]
    kinds = {d["kind"] for d in documents}
    assert {"Deployment", "Service", "Ingress", "Job", "Kustomization"} <= kinds
    ingresses = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Ingress"}
    public = ingresses.pop("iv-webhooks")
    paths = [p["path"] for rule in public["spec"]["rules"] for p in rule["http"]["paths"]]
    assert paths == ["/webhooks/sms/", "/webhooks/telegram/", "/webhooks/webchat/"]
    # The console has its own ingress, on an internal class, and nothing else goes through it.
    [console] = ingresses.values()
    assert console["spec"]["ingressClassName"] == "internal"
    backends = {p["backend"]["service"]["name"] for r in console["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"iv-console"}


def test_the_console_is_never_published_beyond_the_host_in_compose() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    assert services["console"]["command"] == ["python", "-m", "console"]
    assert all(port.startswith("127.0.0.1:") for port in services["console"]["ports"])
