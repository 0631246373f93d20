"""deploy/ describes the topology `make cluster` runs: Rasa servers behind nginx, sharing
PostgreSQL and Redis, one action server, the page and the console; for compose and Kubernetes.

The entry point is run for real (bash), with a stand-in for python that records the command,
and Rasa's own argument parser reads what it would start. No Docker, cluster or network.
scripts/validate_deploy.sh runs the schema validators, linters and nginx -t on these files.
"""

import json
import os
import re
import subprocess
import sys
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest
import tomli
import yaml
from rasa.__main__ import create_argument_parser
from sqlalchemy.engine import make_url

from clinic.limits import MAX_REQUEST_BYTES
from clinic.paths import CREDENTIALS_PATH, REPO_ROOT
from ops.cluster import ENDPOINTS as CLUSTER_ENDPOINTS
from ops.servers import ServerConfig, action_server_args, process_env, rasa_server_args

DEPLOY = REPO_ROOT / "deploy"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
TEMPLATE = DEPLOY / "nginx" / "clinic.conf.template"
IMAGE = "clinic-assistant"
CONTENT_DIR = "/srv/clinic"
LIVE_MODEL = "/srv/clinic/project/models/live.tar.gz"  # what the stand-in says is live
# What nginx, the servers and the health checks listen on inside the containers.
PORTS = {"rasa": 5005, "actions": 5055, "page": 8080, "console": 8081}
HEALTH_PATHS = {"rasa": "/", "actions": "/health", "console": "/login", "page": "/"}
# Values that must only ever come from deploy/.env (compose) or the Secret (Kubernetes).
SECRETS = {
    "RASA_AUTH_TOKEN",
    "ACTION_SERVER_TOKEN",
    "REDIS_PASSWORD",
    "REDISCLI_AUTH",
    "POSTGRES_PASSWORD",
    "STAFF_CONSOLE_SECRET",
    "TRACKER_DB_URL",
    "CLINIC_DB_URL",
}
CONSOLE_NEEDS = {"CLINIC_DB_URL", "TRACKER_DB_URL", "RASA_URL", "RASA_AUTH_TOKEN"}


def without_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def placeholders(text: str) -> Set[str]:
    """The ${NAME} values in a file, comments left out (they may quote ${NAME})."""
    return set(re.findall(r"\$\{(\w+)\}", without_comments(text)))


ENDPOINT_VARS = placeholders((DEPLOY / "endpoints.yml").read_text())
TEMPLATE_VARS = placeholders(TEMPLATE.read_text())


# ---- reading the files ----------------------------------------------------------------------


@lru_cache(maxsize=None)
def compose() -> Dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def services() -> Dict[str, Dict[str, Any]]:
    return compose()["services"]


def app_services(role: Optional[str] = None) -> Dict[str, Dict[str, Any]]:
    """The compose services that run the clinic image, by name; of one role if given."""
    return {
        name: service
        for name, service in services().items()
        if "build" in service and (role is None or service["command"] == [role])
    }


def env_example() -> Dict[str, str]:
    values = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value[1:-1] if value[:1] in "'\"" and value[-1:] == value[:1] else value
    return values


def interpolate(text: str, values: Dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}."""

    def one(match: "re.Match[str]") -> str:
        name, operator, argument = match.groups()
        if values.get(name):
            return values[name]
        if operator == ":?":
            raise KeyError(f"{name} unset: {argument}")
        return argument or ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, text)


def compose_env(service: Dict[str, Any]) -> Dict[str, str]:
    return {name: interpolate(str(value), env_example()) for name, value in (service.get("environment") or {}).items()}


@lru_cache(maxsize=None)
def kubernetes() -> Dict[Tuple[str, str], Dict[str, Any]]:
    """The manifests kustomize applies, by (kind, name)."""
    docs = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        if path.name != "secret.example.yaml":
            for doc in yaml.safe_load_all(path.read_text()):
                docs[(doc["kind"], doc["metadata"]["name"])] = doc
    return docs


def kustomization() -> Dict[str, Any]:
    return yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())


def generated_config_maps() -> Dict[str, List[str]]:
    return {item["name"]: item["files"] for item in kustomization()["configMapGenerator"]}


def secret_example() -> Dict[str, str]:
    return yaml.safe_load((DEPLOY / "kubernetes" / "secret.example.yaml").read_text())["stringData"]


def workloads() -> Dict[str, Dict[str, Any]]:
    return {
        name: doc for (kind, name), doc in kubernetes().items() if kind in ("Deployment", "StatefulSet", "DaemonSet")
    }


def pod_spec(workload: str) -> Dict[str, Any]:
    return workloads()[workload]["spec"]["template"]["spec"]


def clinic_containers(role: Optional[str] = None) -> Dict[str, Dict[str, Any]]:
    """The Kubernetes containers of the clinic image, by workload name; of one role if given."""
    found = {}
    for name in workloads():
        for container in pod_spec(name)["containers"]:
            if container["image"] == IMAGE and (role is None or container["args"] == [role]):
                found[name] = container
    return found


def kubernetes_env(container: Dict[str, Any]) -> Dict[str, str]:
    """A container's environment, with the Secret's keys from secret.example.yaml."""
    env: Dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(kubernetes()[("ConfigMap", source["configMapRef"]["name"])]["data"])
    for item in container.get("env", []):
        ref = item.get("valueFrom", {})
        if "secretKeyRef" in ref:
            env[item["name"]] = secret_example()[ref["secretKeyRef"]["key"]]
        elif "configMapKeyRef" in ref:
            env[item["name"]] = kubernetes()[("ConfigMap", ref["configMapKeyRef"]["name"])]["data"][
                ref["configMapKeyRef"]["key"]
            ]
        else:
            env[item["name"]] = str(item["value"])
    return env


# ---- running the entry point ----------------------------------------------------------------

STAND_IN = """#!{python}
import json, os, sys
args = sys.argv[1:]
if args[:1] == ["deploy/clinic_content.py"]:
    if args[1] == "live-model":
        print({live!r})
    sys.exit(0)
with open(os.environ["STAND_IN_RECORD"], "w") as record:
    json.dump({{"argv": args, "env": dict(os.environ)}}, record)
"""


@pytest.fixture
def entrypoint(tmp_path):
    """Run deploy/entrypoint.sh ROLE with `env` only; returns (exit code, stderr, what it ran)."""
    stand_in = tmp_path / "python"
    stand_in.write_text(STAND_IN.format(python=sys.executable, live=LIVE_MODEL))
    stand_in.chmod(0o755)
    record = tmp_path / "ran.json"

    def run(role: str, env: Dict[str, str]) -> Tuple[int, str, Dict[str, Any]]:
        record.unlink(missing_ok=True)
        base = {"PATH": os.environ["PATH"], "PYTHON": str(stand_in), "STAND_IN_RECORD": str(record)}
        done = subprocess.run(
            ["bash", str(ENTRYPOINT), role], env={**base, **env}, capture_output=True, text=True, timeout=30
        )
        ran = json.loads(record.read_text()) if record.exists() else {}
        return done.returncode, done.stderr, ran

    return run


def rasa_args(argv: List[str]) -> Any:
    assert argv[:2] == ["-m", "rasa"], argv
    return create_argument_parser().parse_args(argv[2:])


RASA_ENV = {
    "RASA_AUTH_TOKEN": "-token-that-looks-like-an-option",
    "TRACKER_DB_URL": "postgresql+psycopg2://clinic:pw@postgres:5432/tracker",
    "CLINIC_DB_URL": "postgresql+psycopg2://clinic:pw@postgres:5432/clinic",
    "CORS_ORIGINS": "* https://www.clinic.example",
    "ACTION_SERVER_URL": "http://actions:5055/webhook",
    "ACTION_SERVER_TOKEN": "action-token",
    "REDIS_HOST": "redis",
    "REDIS_PORT": "6379",
    "REDIS_DB": "0",
    "REDIS_PASSWORD": "redis-password",
}


# ---- the Rasa servers -----------------------------------------------------------------------


def test_compose_runs_two_identical_rasa_servers():
    rasa = app_services("rasa")
    assert len(rasa) >= 2, sorted(services())
    first, *others = rasa.values()
    assert all(other == first for other in others), "the Rasa servers must differ in nothing but their name"


def test_kubernetes_runs_two_rasa_servers():
    assert list(clinic_containers("rasa")) == ["rasa"]
    assert workloads()["rasa"]["spec"]["replicas"] >= 2


def test_the_rasa_command_is_make_clusters(entrypoint):
    code, error, ran = entrypoint("rasa", RASA_ENV)
    assert code == 0, error
    ours = rasa_args(ran["argv"])
    cluster_config = ServerConfig(model=Path(LIVE_MODEL), auth_token=RASA_ENV["RASA_AUTH_TOKEN"], cors_origins=["*"])
    theirs = create_argument_parser().parse_args(rasa_server_args(cluster_config, CLUSTER_ENDPOINTS))
    defaults = vars(create_argument_parser().parse_args(["run"]))

    def options_set(args: Any) -> Set[str]:
        return {name for name, value in vars(args).items() if value != defaults.get(name)}

    # The same options, but for where they listen: every interface in a container, loopback here.
    assert options_set(ours) - {"interface"} == options_set(theirs) - {"interface"}
    assert ours.enable_api is True and ours.auth_token == RASA_ENV["RASA_AUTH_TOKEN"]
    assert ours.endpoints == "deploy/endpoints.yml" and (REPO_ROOT / ours.endpoints) == CLUSTER_ENDPOINTS
    assert (REPO_ROOT / ours.credentials) == CREDENTIALS_PATH == Path(theirs.credentials)
    assert (ours.interface, ours.port, ours.model) == ("0.0.0.0", PORTS["rasa"], LIVE_MODEL)
    assert ours.cors == ["*", "https://www.clinic.example"]  # "*" not expanded by the shell
    cluster_env = process_env("rasa", "token", None)
    for name in ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS", "MALLOC_ARENA_MAX"):
        assert ran["env"].get(name) == cluster_env[name], name
    from ops.cluster import LOCK_LIFETIME_SECONDS

    assert ran["env"].get("TICKET_LOCK_LIFETIME") == str(LOCK_LIFETIME_SECONDS)


@pytest.mark.parametrize("missing", sorted(ENDPOINT_VARS | {"RASA_AUTH_TOKEN", "TRACKER_DB_URL", "CLINIC_DB_URL"}))
def test_a_rasa_server_without_a_value_stops_and_names_it(entrypoint, missing):
    assert ENDPOINT_VARS, "deploy/endpoints.yml reads its values from the environment"
    code, error, ran = entrypoint("rasa", {k: v for k, v in RASA_ENV.items() if k != missing})
    assert code == 64 and missing in error and not ran


def test_every_rasa_container_gets_what_the_endpoints_file_reads():
    wanted = ENDPOINT_VARS | {"RASA_AUTH_TOKEN", "TRACKER_DB_URL", "CLINIC_DB_URL", "CORS_ORIGINS"}
    for name, service in app_services("rasa").items():
        assert wanted <= set(compose_env(service)), name
    for name, container in clinic_containers("rasa").items():
        assert wanted <= set(kubernetes_env(container)), name


def test_the_action_server_command_is_make_clusters(entrypoint):
    code, error, ran = entrypoint("actions", {"ACTION_SERVER_TOKEN": "t", "CLINIC_DB_URL": "sqlite://"})
    assert code == 0, error
    ours = rasa_args(ran["argv"])
    theirs = create_argument_parser().parse_args(action_server_args(ServerConfig(model=Path("m"))))
    assert (ours.actions, ours.port) == (theirs.actions, PORTS["actions"])
    assert ran["env"]["SANIC_HOST"] == "0.0.0.0"


def test_the_console_and_page_commands(entrypoint):
    console_env = {name: "x" for name in CONSOLE_NEEDS | {"RASA_SERVER_URLS", "STAFF_CONSOLE_SECRET"}}
    code, error, ran = entrypoint("console", console_env)
    assert code == 0, error
    assert ran["argv"][:2] == ["-m", "staff.console"]
    assert {"--host=0.0.0.0", f"--port={PORTS['console']}", f"--root={CONTENT_DIR}/project"} <= set(ran["argv"])
    code, error, ran = entrypoint("page", {"RASA_PUBLIC_URL": "https://chat.clinic.example"})
    assert code == 0, error
    assert ran["argv"] == ["deploy/page_server.py", f"--port={PORTS['page']}"]
    assert ran["env"]["CLINIC_SETTINGS"] == f"{CONTENT_DIR}/project/clinic.yml"


@pytest.mark.parametrize("missing", sorted(CONSOLE_NEEDS))
def test_the_console_without_a_value_stops_and_names_it(entrypoint, missing):
    env = {name: "x" for name in (CONSOLE_NEEDS | {"RASA_SERVER_URLS", "STAFF_CONSOLE_SECRET"}) - {missing}}
    code, error, ran = entrypoint("console", env)
    assert code == 64 and missing in error and not ran


# ---- every container gets what its role needs ------------------------------------------------


def _role_and_env(where: str) -> Dict[str, Tuple[str, Dict[str, str]]]:
    """Each clinic container of compose or Kubernetes: its role and its environment."""

    def only(values: List[str]) -> str:
        (value,) = values  # the role and nothing else
        return value

    if where == "compose":
        return {name: (only(service["command"]), compose_env(service)) for name, service in app_services().items()}
    return {name: (only(c["args"]), kubernetes_env(c)) for name, c in clinic_containers().items()}


@pytest.mark.parametrize("where", ["compose", "kubernetes"])
def test_each_container_gets_what_its_role_needs(entrypoint, where):
    roles = set()
    for name, (role, env) in _role_and_env(where).items():
        roles.add(role)
        code, error, ran = entrypoint(role, env)
        assert code == 0, f"{name}: {error}"
        assert ran, name
    assert roles == set(PORTS)


def test_the_console_reaches_rasa_through_nginx_with_the_token():
    (console,) = app_services("console").values()
    env = compose_env(console)
    assert CONSOLE_NEEDS <= set(env)
    assert env["RASA_URL"] == f"http://nginx:{PORTS['rasa']}" and "nginx" in services()
    (container,) = clinic_containers("console").values()
    env = kubernetes_env(container)
    assert CONSOLE_NEEDS <= set(env)
    assert env["RASA_URL"] == f"http://nginx:{PORTS['rasa']}" and ("Service", "nginx") in kubernetes()


def test_go_live_reaches_every_rasa_server_by_name():
    (console,) = app_services("console").values()
    wanted = {f"http://{name}:{PORTS['rasa']}" for name in app_services("rasa")}
    assert set(compose_env(console)["RASA_SERVER_URLS"].split()) == wanted
    rasa = workloads()["rasa"]
    headless = kubernetes()[("Service", rasa["spec"]["serviceName"])]
    assert headless["spec"]["clusterIP"] == "None"
    pods = [f"rasa-{i}.{headless['metadata']['name']}" for i in range(rasa["spec"]["replicas"])]
    wanted = {f"http://{pod}:{PORTS['rasa']}" for pod in pods}
    (container,) = clinic_containers("console").values()
    assert set(kubernetes_env(container)["RASA_SERVER_URLS"].split()) == wanted


def test_every_container_of_the_image_shares_the_content_folder_at_one_path():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert f"CLINIC_CONTENT_DIR={CONTENT_DIR}" in dockerfile
    volumes = compose()["volumes"]
    for name, service in app_services().items():
        mounts = [v.split(":") for v in service["volumes"]]
        assert [m for m in mounts if m[1] == CONTENT_DIR and m[0] in volumes], name
    claims = set()
    for name in clinic_containers():
        spec = pod_spec(name)
        (container,) = [c for c in spec["containers"] if c["image"] == IMAGE]
        mounted = {m["name"] for m in container["volumeMounts"] if m["mountPath"] == CONTENT_DIR}
        claims |= {v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"] if v["name"] in mounted}
        assert mounted, name
    (claim,) = claims
    assert "ReadWriteMany" in kubernetes()[("PersistentVolumeClaim", claim)]["spec"]["accessModes"]


# ---- health checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(PORTS))
def test_compose_health_checks_ask_each_role_its_health_path(role):
    for name, service in app_services(role).items():
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "deploy/healthcheck.py"], name
        assert test[3] == f"http://127.0.0.1:{PORTS[role]}{HEALTH_PATHS[role]}", name


def test_compose_health_checks_of_postgres_and_redis():
    assert services()["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert "redis-cli ping" in " ".join(services()["redis"]["healthcheck"]["test"])
    for name, service in app_services().items():
        for dependency in ("postgres", "redis"):
            if dependency in service.get("depends_on", {}):
                assert service["depends_on"][dependency]["condition"] == "service_healthy", name


@pytest.mark.parametrize("role", ["rasa", "actions", "console"])
def test_kubernetes_probes_ask_each_role_its_health_path(role):
    for name, container in clinic_containers(role).items():
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            if probe == "startupProbe" and probe not in container:
                continue
            check = container[probe]["httpGet"]
            assert check["path"] == HEALTH_PATHS[role], (name, probe)
            assert ports.get(check["port"], check["port"]) == PORTS[role], (name, probe)


def test_the_health_check_script_wants_a_200():
    sys.path.insert(0, str(DEPLOY))
    try:
        import healthcheck
    finally:
        sys.path.remove(str(DEPLOY))

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        assert healthcheck.main(f"http://127.0.0.1:{port}/") == 0
        assert healthcheck.main(f"http://127.0.0.1:{port}/down") == 1
    finally:
        server.shutdown()
        server.server_close()
    assert healthcheck.main(f"http://127.0.0.1:{port}/") == 1  # nothing listens any more


# ---- secrets ---------------------------------------------------------------------------------

REQUIRED = re.compile(r"\$\{(\w+):\?[^}]+\}")


def test_compose_takes_every_secret_from_the_env_file():
    found = set()
    for name, service in services().items():
        for variable, value in (service.get("environment") or {}).items():
            if variable in {"TRACKER_DB_URL", "CLINIC_DB_URL"}:
                assert REQUIRED.search(str(value)).group(1) == "POSTGRES_PASSWORD", (name, variable)
                assert str(value).split("://clinic:", 1)[1].startswith("${POSTGRES_PASSWORD:?"), (name, variable)
            elif variable in SECRETS:
                match = REQUIRED.fullmatch(str(value))
                assert match and match.group(1) in SECRETS, (name, variable, value)
            found.add(variable)
    assert SECRETS <= found
    command = services()["redis"]["command"]
    assert REQUIRED.fullmatch(command[command.index("--requirepass") + 1]).group(1) == "REDIS_PASSWORD"


def test_the_env_example_lists_every_required_value_with_placeholders_only():
    required = set(REQUIRED.findall((DEPLOY / "compose.yaml").read_text()))
    example = env_example()
    assert required <= set(example), sorted(required - set(example))
    for name in required & SECRETS:
        assert example[name] == "CHANGE-ME", name


def test_kubernetes_takes_every_secret_from_the_secret():
    keys = set(secret_example())
    seen = set()
    for workload in workloads():
        for container in pod_spec(workload)["containers"]:
            for item in container.get("env", []):
                if item["name"] in SECRETS:
                    ref = item.get("valueFrom", {}).get("secretKeyRef")
                    assert ref and "value" not in item, (workload, item["name"])
                    assert ref["name"] == "clinic-secrets" and ref["key"] in keys, (workload, item["name"])
                    seen.add(item["name"])
    assert seen == SECRETS
    assert not [key for key in kubernetes() if key[0] == "Secret"], "no Secret with values is applied"
    assert "kubernetes/secret.example.yaml" not in kustomization()["resources"]
    for (kind, name), doc in kubernetes().items():
        if kind == "ConfigMap":
            assert not SECRETS & set(doc["data"]), name
    assert all("CHANGE-ME" in value for value in secret_example().values())


# ---- nginx -----------------------------------------------------------------------------------


def upstream_servers(value: str) -> Set[str]:
    return set(re.findall(r"\bserver\s+([\w.-]+:\d+)", value))


def test_compose_nginx_fills_the_template_with_every_value():
    nginx = services()["nginx"]
    mounts = dict(m.rsplit(":", 1)[0].split(":", 1) for m in nginx["volumes"])
    target = mounts.get("./nginx/clinic.conf.template")
    assert (DEPLOY / "nginx" / "clinic.conf.template").resolve() == TEMPLATE.resolve()
    assert target and target.startswith("/etc/nginx/templates/") and target.endswith(".template")
    env = compose_env(nginx)
    assert env.get("NGINX_ENVSUBST_TEMPLATE_SUFFIX", ".template") == ".template"
    assert TEMPLATE_VARS, "the template's values come from the environment"
    assert TEMPLATE_VARS <= set(env), sorted(TEMPLATE_VARS - set(env))
    # envsubst also fills $NAME: no variable of nginx's own may share a name with one set here.
    own = set(re.findall(r"\$(\w+)", without_comments(TEMPLATE.read_text())))
    assert not own & set(env)


def test_compose_nginx_balances_over_every_rasa_server_and_publishes_its_ports():
    env = compose_env(services()["nginx"])
    assert upstream_servers(env["RASA_UPSTREAM_SERVERS"]) == {f"{n}:{PORTS['rasa']}" for n in app_services("rasa")}
    assert env["PAGE_UPSTREAM"] in {f"{n}:{PORTS['page']}" for n in app_services("page")}
    assert env["CONSOLE_UPSTREAM"] in {f"{n}:{PORTS['console']}" for n in app_services("console")}
    published = {interpolate(p, env_example()).rsplit(":", 1)[1] for p in services()["nginx"]["ports"]}
    assert published == {env["RASA_PORT"], env["WEB_PORT"], env["STAFF_PORT"]}
    assert env["LISTEN_HOST"] == "0.0.0.0"
    mounts = dict(m.rsplit(":", 1)[0].split(":", 1) for m in services()["nginx"]["volumes"])
    assert mounts["./nginx/nginx.conf"] == "/etc/nginx/nginx.conf"


def test_the_nginx_main_file_loads_the_filled_template_and_logs_no_urls():
    text = without_comments((DEPLOY / "nginx" / "nginx.conf").read_text())
    assert f"include /etc/nginx/conf.d/{TEMPLATE.name[: -len('.template')]};" in text
    assert "access_log off;" in text and "server_tokens off;" in text


def test_kubernetes_nginx_uses_the_same_template_with_every_value():
    files = generated_config_maps()["clinic-nginx"]
    assert "nginx/clinic.conf.template" in files and "nginx/nginx.conf" in files
    assert (DEPLOY / "nginx/clinic.conf.template").resolve() == TEMPLATE.resolve()
    spec = pod_spec("nginx")
    (container,) = spec["containers"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {
        m["mountPath"]: (volumes[m["name"]]["configMap"]["name"], m.get("subPath")) for m in container["volumeMounts"]
    }
    assert mounts[f"/etc/nginx/templates/{TEMPLATE.name}"] == ("clinic-nginx", TEMPLATE.name)
    assert mounts["/etc/nginx/nginx.conf"] == ("clinic-nginx", "nginx.conf")
    env = kubernetes_env(container)
    assert TEMPLATE_VARS <= set(env), sorted(TEMPLATE_VARS - set(env))
    # Kubernetes balances: nginx's one upstream is the Service in front of the Rasa pods.
    (upstream,) = upstream_servers(env["RASA_UPSTREAM_SERVERS"])
    host, port = upstream.split(":")
    service = kubernetes()[("Service", host)]
    assert int(port) in {p["port"] for p in service["spec"]["ports"]}
    pod_labels = workloads()["rasa"]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    # A virtual IP: nginx resolves names once, and a headless name's pod addresses change.
    assert service["spec"].get("clusterIP") != "None"
    assert env["PAGE_UPSTREAM"] == f"page:{PORTS['page']}" and ("Service", "page") in kubernetes()
    assert env["CONSOLE_UPSTREAM"] == f"console:{PORTS['console']}" and ("Service", "console") in kubernetes()


@pytest.mark.parametrize("where", ["compose", "kubernetes"])
def test_the_unavailable_reply_is_a_chat_reply_nginx_can_quote(where):
    if where == "compose":
        reply = env_example()["UNAVAILABLE_REPLY"]
    else:
        reply = kubernetes()[("ConfigMap", "clinic-config")]["data"]["UNAVAILABLE_REPLY"]
    assert "'" not in reply  # the template wraps it in single quotes
    (message,) = json.loads(reply)
    assert set(message) == {"recipient_id", "text"} and message["text"]


# ---- the databases ---------------------------------------------------------------------------


def test_both_database_urls_point_at_the_databases_init_sql_creates():
    created = set(re.findall(r"CREATE DATABASE (\w+)", (DEPLOY / "postgres" / "init.sql").read_text()))
    postgres = services()["postgres"]
    assert "./postgres/init.sql:/docker-entrypoint-initdb.d/init.sql:ro" in postgres["volumes"]
    assert postgres["environment"]["POSTGRES_DB"] not in created  # else the image creates it first
    user = postgres["environment"]["POSTGRES_USER"]
    (console,) = app_services("console").values()
    compose_urls, secret = compose_env(console), secret_example()
    urls = {
        "tracker": [compose_urls["TRACKER_DB_URL"], secret["tracker-db-url"]],
        "clinic": [compose_urls["CLINIC_DB_URL"], secret["clinic-db-url"]],
    }
    for database, found in urls.items():
        assert database in created
        for url in map(make_url, found):
            assert (url.drivername, url.host, url.port, url.username) == ("postgresql+psycopg2", "postgres", 5432, user)
            assert url.database == database
    assert generated_config_maps()["postgres-init"] == ["postgres/init.sql"]
    volumes = {v["name"]: v for v in pod_spec("postgres")["volumes"]}
    (container,) = pod_spec("postgres")["containers"]
    (init,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/docker-entrypoint-initdb.d"]
    assert volumes[init["name"]]["configMap"]["name"] == "postgres-init"


# ---- the image and the manifests' list -------------------------------------------------------


def test_the_image_installs_like_make_install_and_runs_as_a_user():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    lines = [line.strip() for line in without_comments(dockerfile).splitlines()]
    assert "FROM python:3.10-slim-bookworm" in lines
    assert "pip install --quiet --no-deps -r requirements.txt" in (REPO_ROOT / "Makefile").read_text()
    assert "RUN pip install --no-deps -r requirements.txt && pip check" in lines
    assert "RUN python scripts/link_spacy_model.py" in lines
    (user,) = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert user.split(":")[0].isdigit() and int(user.split(":")[0]) != 0
    assert 'ENTRYPOINT ["tini", "--", "/app/deploy/entrypoint.sh"]' in lines
    assert os.access(ENTRYPOINT, os.X_OK)
    # What ops/rasa_env.py gives every rasa process.
    assert "PYTHONPATH=/app" in dockerfile and "RASA_TELEMETRY_ENABLED=false" in dockerfile
    # What ops/servers.py and `make cluster` give every server: 64 KB bodies, and the visitor's
    # address from the X-Real-IP the nginx template sets (for the rate limits).
    assert f"SANIC_REQUEST_MAX_SIZE={MAX_REQUEST_BYTES}" in dockerfile
    assert "SANIC_REAL_IP_HEADER=X-Real-IP" in dockerfile
    assert (REPO_ROOT / "deploy" / "nginx" / "clinic.conf.template").read_text().count(
        "proxy_set_header X-Real-IP $remote_addr;"
    ) >= 2


def test_the_image_holds_every_package_the_servers_and_go_live_import():
    packages = set(tomli.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"])
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    copied = {source.rstrip("/") for line in lines if line.startswith("COPY ") for source in line.split()[1:-1]}
    assert packages - {"bench"} <= copied, sorted(packages - {"bench"} - copied)
    assert {"data", "tests/stories", "web", "config.yml", "domain.yml", "credentials.yml", "clinic.yml"} <= copied
    # What the entry point and the health checks run, and the endpoints file Rasa reads.
    used = set(re.findall(r"deploy/[\w.]+\.(?:py|yml)", ENTRYPOINT.read_text() + (DEPLOY / "compose.yaml").read_text()))
    assert used and used | {"deploy/entrypoint.sh"} <= copied, sorted(used - copied)
    assert not [source for source in copied if source.startswith("deploy") and "." not in source.split("/")[-1]]


def test_kustomize_applies_every_manifest():
    listed = set(kustomization()["resources"])
    manifests = {f"kubernetes/{p.name}" for p in (DEPLOY / "kubernetes").glob("*.yaml")}
    assert listed == manifests - {"kubernetes/secret.example.yaml"}
    for files in generated_config_maps().values():
        assert all((DEPLOY / name).is_file() for name in files)


def test_both_describe_the_whole_topology():
    assert {"nginx", "postgres", "redis"} <= set(services())
    assert {"Deployment/nginx", "StatefulSet/postgres", "Deployment/redis"} <= {f"{k}/{n}" for k, n in kubernetes()}
    for role in PORTS:
        assert app_services(role) and clinic_containers(role), role
