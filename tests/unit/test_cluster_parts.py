"""The plain parts of `make cluster`: Redis URLs, the nginx template, the supervisor."""

import sys
import time

import pytest

from ops import cluster_services as services
from ops.supervisor import ManagedProcess


def test_redis_urls_become_rasa_lock_store_fields():
    address = services.parse_redis_url("redis://:s3cret@redis.internal:6380/2")
    assert address.rasa_env() == {
        "REDIS_HOST": "redis.internal",
        "REDIS_PORT": "6380",
        "REDIS_DB": "2",
        "REDIS_PASSWORD": "s3cret",
    }
    assert services.parse_redis_url("redis://localhost").rasa_env()["REDIS_PORT"] == "6379"
    for bad in ("http://host:6379/0", "redis://host:6379/zero", "redis://"):
        with pytest.raises(ValueError, match="REDIS_URL"):
            services.parse_redis_url(bad)


def test_the_nginx_template_is_filled_everywhere_and_keeps_nginx_variables():
    values = {key: f"<{key}>" for key in services.TEMPLATE_KEYS}
    site = services.render_nginx_site(values)
    directives = "\n".join(line for line in site.splitlines() if not line.lstrip().startswith("#"))
    assert "${" not in directives  # every value the template names is one make cluster fills
    for key in services.TEMPLATE_KEYS:
        assert f"<{key}>" in site
    assert "$remote_addr" in site and "$host" in site  # nginx's own variables untouched


def test_the_unavailable_reply_is_json_that_fits_in_single_quotes():
    body = services.unavailable_reply("Sorry, it's down. Call (212) 555-0199.")
    assert "'" not in body and "555-0199" in body and body.startswith("[{")


def test_a_process_that_dies_is_restarted_after_its_back_off_and_said_so(tmp_path):
    said = []
    process = ManagedProcess("sleeper", [sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path / "s.log")
    process.start()
    process.popen.wait()
    process.watch(said.append)  # noticed: restart scheduled after 1 s
    assert "sleeper exited (code 3); restarting in 1 s" in said[0]
    process.watch(said.append)
    assert len(said) == 1  # not before the back-off
    time.sleep(1.05)
    process.watch(said.append)
    assert process.restarts == 1 and "restarted" in said[-1]
    process.popen.wait()
    process.watch(said.append)
    assert "restarting in 2 s" in said[-1]  # it keeps dying: the back-off doubles
    process.stop()
