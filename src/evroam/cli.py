"""The `evroam` command."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
from pydantic import ValidationError

from evroam.config import Settings, get_settings
from evroam.tariffs.cli import price
from evroam.tariffs.spot.cli import import_spot_prices

app = typer.Typer(help="evroam: OCPI roaming integration platform for charge point operators.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
apikey_app = typer.Typer(help="Management API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")
spot_app = typer.Typer(help="Spot price series (day-ahead prices per bidding zone).", no_args_is_help=True)
app.add_typer(spot_app, name="spot")
spot_app.command("import")(import_spot_prices)
app.command("price", help="Price a CDR with a tariff (OCPI JSON files); prints the CDR cost fields.")(price)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default EVROAM_PORT or 8000)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes answering requests (default EVROAM_WORKERS or 1; more need PostgreSQL)"),
    ] = None,
) -> None:
    """Serve the management API, the OCPI API and the docs."""
    import uvicorn

    from evroam.database.engine import is_sqlite

    # Worker processes read their settings from the environment as this one does: the options go there.
    for name, value in (("HOST", host), ("PORT", port), ("WORKERS", workers)):
        if value is not None:
            os.environ[f"EVROAM_{name}"] = str(value)
    settings = _settings()
    url = settings.resolved_database_url()
    if settings.workers > 1 and is_sqlite(url):
        typer.echo(
            "evroam: --workers (EVROAM_WORKERS) above 1 needs PostgreSQL (EVROAM_DATABASE_URL): SQLite takes "
            "one writer at a time, and the embedded database is for one process",
            err=True,
        )
        raise typer.Exit(1)
    if not is_sqlite(url):
        _refuse_old_schema(url)
    if settings.workers == 1:
        from evroam.app import create_app

        uvicorn.run(create_app(settings=settings), host=settings.host, port=settings.port, log_level="info")
        return
    settings.resolved_secret_key()  # generated here once, if it must be, rather than raced for by the workers
    uvicorn.run(
        "evroam.app:create_app",
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level="info",
    )


def _refuse_old_schema(url: str) -> None:
    """Exit 1 naming the migration needed: checked here, before any process starts serving."""
    from evroam.database.engine import create_engine
    from evroam.startup import SchemaOutOfDate, check_schema

    async def check() -> None:
        engine = create_engine(url)
        try:
            await check_schema(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(check())
    except SchemaOutOfDate as exc:
        typer.echo(f"evroam: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def worker() -> None:
    """Run the background jobs (OCPI pushes, token pulls, session timeouts) until stopped; several may run
    against PostgreSQL."""
    from evroam.delivery.cli import run_standalone

    asyncio.run(run_standalone(_settings()))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema (Alembic)."""
    from evroam.database import migrate

    settings = _settings()
    settings.ensure_var_dir()
    migrate.upgrade(settings.resolved_database_url())
    typer.echo("database schema is current")


@app.command()
def demo() -> None:
    """Load the demo network, tariffs and integration (once; a second run changes nothing)."""
    from evroam.demo import load_demo

    loaded = asyncio.run(load_demo(_settings()))
    typer.echo("demo data loaded" if loaded else "demo data already present")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="What the key is for")],
    operator: Annotated[int | None, typer.Option(help="Operator id (default: the configured operator)")] = None,
) -> None:
    """Create an API key and print it once: only its hash is stored."""
    from evroam.network.operators.cli import create_key

    typer.echo(asyncio.run(create_key(_settings(), name, operator)))


@app.command()
def simulate(
    url: Annotated[str, typer.Option(help="The gateway, e.g. ws://127.0.0.1:8000/ocpp")] = "ws://127.0.0.1:8000/ocpp",
    chargers: Annotated[int, typer.Option(min=1, help="How many chargers: <prefix>1 ... <prefix>N")] = 1,
    prefix: Annotated[str, typer.Option(help="Charger ids are this and a number")] = "SIM-",
    password: Annotated[str, typer.Option(help="Every charger's OCPP password (its ocppPassword)")] = ...,
    id_tag: Annotated[str, typer.Option(help="The card each charger's driver presents")] = "SIMULATOR1",
    samples: Annotated[int, typer.Option(min=0, help="Meter readings per session")] = 3,
    every: Annotated[float, typer.Option(min=0, help="Seconds between meter readings")] = 10.0,
    speedup: Annotated[float, typer.Option(min=0, help="Simulated seconds of charging per second waited")] = 1.0,
    stay: Annotated[float, typer.Option(min=0, help="Seconds to stay connected after the session, "
                                                   "answering remote starts and stops")] = 0.0,
) -> None:
    """Simulated OCPP 1.6J chargers: each boots, charges once (Authorize, StartTransaction, MeterValues,
    StopTransaction) and answers RemoteStartTransaction/RemoteStopTransaction."""
    import logging

    from evroam.simulate.run import Plan, simulate as run_simulation

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")  # the messages exchanged
    plan = Plan(url=url, password=password, id_tag=id_tag, samples=samples, sample_every=every,
                speedup=speedup, stay_connected=stay)
    asyncio.run(run_simulation([f"{prefix}{number}" for number in range(1, chargers + 1)], plan))


def _settings() -> Settings:
    """The settings, or one line per invalid EVROAM_* variable and exit status 2."""
    try:
        return get_settings()
    except ValidationError as error:
        for problem in error.errors():
            name = "EVROAM_" + "_".join(str(part) for part in problem["loc"]).upper()
            typer.echo(f"evroam: {name}: {problem['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
