"""Schemathesis fuzzes every operation of the live schema: no input may cause a server error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from survmap.records.models import ATLAS_ATTRIBUTION
from tests.factories import AgencyFactory, PartnershipFactory, PolicyEventFactory


@pytest.mark.django_db(transaction=True)
def test_no_operation_answers_with_a_server_error(live_server, tmp_path: Path) -> None:
    agency = AgencyFactory(counties=["26099"], latitude=42.5, longitude=-83.0)
    PartnershipFactory(agency=agency, attribution=ATLAS_ATTRIBUTION)
    PartnershipFactory(sources=[])
    PolicyEventFactory()
    # Many requests from one address in a few seconds: throttling is tested elsewhere.
    with override_settings(SURVMAP_API_ANON_RATE="100000/min"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                live_server.url + reverse("api:schema"),
                "--checks",
                "not_a_server_error",
                "--max-examples",
                "25",
                "--phases",
                # Fuzzing generates valid and invalid inputs; the coverage phase would take
                # minutes for little more.
                "examples,fuzzing",
                "--workers",
                "1",
                "--no-shrink",
                "--seed",
                "5",
                "--request-timeout",
                "20",
                "--generation-database",
                "none",
                "--no-color",
                "--report-dir",
                str(tmp_path),
            ],
            capture_output=True,
            cwd=tmp_path,  # schemathesis keeps state in ./.schemathesis: not in the repository
            text=True,
            timeout=180,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
            check=False,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert " passed" in output, output[-3000:]
