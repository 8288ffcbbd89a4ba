"""The Dockerfile's rules, read from the file (no Docker engine runs on CI's machine)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def stages():
    return re.split(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)[1:]


def test_base_images_are_pinned_slim_versions():
    for stage in stages():
        image = stage.split()[0]
        assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", image), image


def test_multi_stage_and_the_final_stage_has_no_build_tools():
    *_, final = stages()
    assert len(stages()) >= 2
    assert "COPY --from=build" in final
    assert not re.search(r"apt-get install|gcc|build-essential|pip install", final)


def test_runs_as_a_non_root_user_with_data_on_a_volume():
    final = stages()[-1]
    users = re.findall(r"^USER (\S+)", final, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in final and "LPBOT_DB=/data/lpbot.db" in final
    assert re.search(r"^EXPOSE 3000", final, re.MULTILINE)
    assert re.search(r'^HEALTHCHECK .*CMD \["lpbot", "health"\]$', final, re.MULTILINE)


def test_no_secrets_are_baked_in():
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        assert not re.search(rf"^(ENV|ARG).*{name}", DOCKERFILE, re.MULTILINE)
    assert not re.search(r"xox[bpa]-|xapp-", DOCKERFILE)


def test_the_lock_file_is_what_gets_installed():
    assert "pip install --no-cache-dir --prefix=/install -r requirements.lock" in DOCKERFILE
    assert "--no-deps" in DOCKERFILE
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r requirements-dev.lock" in makefile


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_locks_pin_every_dependency_exactly(lock):
    lines = [line for line in (ROOT / lock).read_text().splitlines() if line and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.]+", line) for line in lines), lines
    pinned = {re.split("==", line)[0].lower().replace("_", "-") for line in lines}
    pyproject = (ROOT / "pyproject.toml").read_text()
    runtime = re.findall(r'^\s+"([A-Za-z0-9_\-]+)[<>=]', pyproject.split("[project.optional-dependencies]")[0], re.MULTILINE)
    assert {name.lower() for name in runtime} <= pinned


def test_compose_keeps_data_on_a_named_volume_and_tokens_out():
    compose = (ROOT / "compose.yaml").read_text()
    assert "lpbot-data:/data" in compose and re.search(r"^volumes:\n  lpbot-data:", compose, re.MULTILINE)
    assert not re.search(r"xox[bpa]-|xapp-", compose)


def test_the_build_context_leaves_out_the_virtualenv_and_the_data():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "data", "*.db"} <= set(ignored)


def test_make_clean_never_deletes_the_database():
    recipe = re.search(r"^clean:\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    (removal,) = [line.split() for line in recipe.splitlines() if "rm " in line]
    assert removal[:2] == ["rm", "-rf"] and "data" not in removal and "$(VENV)" in removal
