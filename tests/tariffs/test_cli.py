"""`evroam price --tariff T --cdr C`: one JSON object on stdout, or one line on stderr and exit code 2."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evroam.tariffs.cli import price
from tests.tariffs.pricing_support import FIXTURES, SHARED_DIR, cdr, energy_tariff, period

START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
SPOT_TARIFF = {"currency": "EUR", "elements": [{"priceComponents": [{"type": "ENERGY_SPOT", "biddingZone": "FI"}]}]}

app = typer.Typer()
app.callback()(lambda: None)  # a group, so the command is called by name as in `evroam price`
app.command("price")(price)


def write(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def run(*args: str | Path):
    return CliRunner().invoke(app, ["price", *map(str, args)])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    session = cdr([period(START, ENERGY=20, TIME=1)], START + timedelta(hours=1), cdr_location={"country": "FIN"})
    return {
        "tariff": write(tmp_path, "tariff.json", energy_tariff()),
        "cdr": write(tmp_path, "cdr.json", session),
        "spot_tariff": write(tmp_path, "spot.json", SPOT_TARIFF),
    }


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_prints_the_priced_cdr_as_json(files: dict[str, Path]) -> None:
    result = run("--tariff", files["tariff"], "--cdr", files["cdr"])
    assert result.exit_code == 0, result.output
    priced = json.loads(result.stdout)
    assert priced["total_cost"] == {"excl_vat": 5.0, "incl_vat": 5.5}  # 20 kWh x 0.25 + 10 % VAT
    assert priced["line_items"][0]["billed_quantity"] == 20.0


def test_prices_the_specifications_example_cdr_as_it_states(tmp_path: Path) -> None:
    """ocpi-examples/cdr.json under its own tariff: its period carries TIME only (1.973 h, 2.00/h in steps of
    5 min: 2 h, 4.00 + 10 % VAT), its total_energy 15.342 kWh. Gent, BEL: the time zone from the country."""
    example_path = SHARED_DIR / "ocpi-examples" / "cdr.json"
    example = json.loads(example_path.read_text(encoding="utf-8"))
    result = run("--tariff", write(tmp_path, "tariff.json", example["tariffs"][0]), "--cdr", example_path)
    assert result.exit_code == 0, result.output
    priced = json.loads(result.stdout)
    assert priced["total_energy"] == example["total_energy"] == 15.342
    assert priced["total_cost"] == priced["total_time_cost"] == example["total_cost"] == {"excl_vat": 4.0, "incl_vat": 4.4}
    assert priced["line_items"][0]["billed_quantity"] == 7200
    assert priced["warnings"] == []


def test_prints_the_disagreements_it_found(files: dict[str, Path], tmp_path: Path) -> None:
    """20 kWh stated in the period, 25 kWh in total_energy: priced as the period states, and said so."""
    document = {**json.loads(files["cdr"].read_text()), "total_energy": 25}
    result = run("--tariff", files["tariff"], "--cdr", write(tmp_path, "c.json", document))
    assert result.exit_code == 0, result.output
    priced = json.loads(result.stdout)
    assert priced["total_cost"] == {"excl_vat": 5.0, "incl_vat": 5.5}
    assert [found["message"] for found in priced["warnings"]] == [
        "total_energy states ENERGY 25 kWh, the charging periods add up to 20 kWh"]


def test_volumes_are_read_with_the_decimals_they_are_written_with(files: dict[str, Path], tmp_path: Path) -> None:
    """TIME written 1.000 h in a period of 1 h 1 min: three decimals allow 1.8 s of rounding, not 60 s.
    (Read as a float, 1.000 would be 1.0, which allows 3 minutes.)"""
    text = files["cdr"].read_text().replace('"end_date_time": "2026-11-23T14:00:00Z"', '"end_date_time": "2026-11-23T14:01:00Z"')
    text = text.replace('{"type": "TIME", "volume": 1}', '{"type": "TIME", "volume": 1.000}')
    assert "14:01:00Z" in text and "1.000}" in text
    result = run("--tariff", files["tariff"], "--cdr", write(tmp_path, "c.json", text))
    assert result.exit_code == 0, result.output
    assert [found["message"] for found in json.loads(result.stdout)["warnings"]] == [
        "charging_periods[0] states TIME 1 h, its start times imply 1.016667 h"]


def test_time_zone_option(files: dict[str, Path]) -> None:
    result = run("--tariff", files["tariff"], "--cdr", files["cdr"], "--time-zone", "Mars/Olympus")
    one_line_error(result, "time_zone: unknown IANA time zone 'Mars/Olympus'")


def test_spot_prices_from_a_csv_file(files: dict[str, Path]) -> None:
    result = run("--tariff", files["spot_tariff"], "--cdr", files["cdr"],
                 "--spot-prices", FIXTURES / "spot_prices_fi_se3.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total_cost"]["excl_vat"] == 1.926  # 20 kWh x 96.30 EUR/MWh


def test_spot_prices_from_an_entsoe_file(files: dict[str, Path]) -> None:
    result = run("--tariff", files["spot_tariff"], "--cdr", files["cdr"],
                 "--spot-prices", FIXTURES / "entsoe_day_ahead_fi_pt60m_a01.xml", "--bidding-zone", "FI")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total_cost"]["excl_vat"] == 1.9928  # position 15, 13:00Z: 99.64 EUR/MWh


def test_missing_spot_price(files: dict[str, Path]) -> None:
    one_line_error(run("--tariff", files["spot_tariff"], "--cdr", files["cdr"]),
                   "no spot price source given for bidding zone FI")  # fmt: skip


def test_unreadable_file(files: dict[str, Path], tmp_path: Path) -> None:
    one_line_error(run("--tariff", tmp_path / "absent.json", "--cdr", files["cdr"]), "--tariff", "cannot read")


def test_invalid_json(files: dict[str, Path], tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", '{"start_date_time": "2026-11-23T13:00:00Z",\n  "charging_periods": [}')
    one_line_error(run("--tariff", files["tariff"], "--cdr", bad), "--cdr", "not valid JSON", "line 2")


def test_bad_field(files: dict[str, Path], tmp_path: Path) -> None:
    document = json.loads(files["cdr"].read_text())
    document["charging_periods"][0]["start_date_time"] = "13:00"
    one_line_error(run("--tariff", files["tariff"], "--cdr", write(tmp_path, "c.json", document)),
                   "charging_periods[0].start_date_time: not an RFC 3339 date-time")  # fmt: skip


def test_bad_spot_price_file(files: dict[str, Path], tmp_path: Path) -> None:
    prices = write(tmp_path, "p.csv", "zone,price\nFI,1\n")
    one_line_error(run("--tariff", files["spot_tariff"], "--cdr", files["cdr"], "--spot-prices", prices),
                   "--spot-prices", "header (line 1)")  # fmt: skip


@pytest.mark.skipif(importlib.util.find_spec("evroam.cli") is None, reason="evroam.cli is not there yet")
def test_evroam_cli_runs_price(files: dict[str, Path]) -> None:
    command = [sys.executable, "-m", "evroam.cli", "price", "--tariff", str(files["tariff"]),
               "--cdr", str(files["cdr"])]  # fmt: skip
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["total_cost"] == {"excl_vat": 5.0, "incl_vat": 5.5}
    finished = subprocess.run([*command[:-1], str(FIXTURES / "absent.json")], capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
    assert finished.returncode == 2 and len(finished.stderr.splitlines()) == 1 and "--cdr" in finished.stderr
