"""The register's tables: parcels, their factory buildings, projects and their ledger."""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    validates,
)

from geo.crs import STORAGE_SRID
from geo.fields import fields_for, get_field
from geo.idle_law import Contract, idle_from
from geo.record_rules import check_parcel_object


class Base(DeclarativeBase):
    """Declarative base of every table."""


def dictionary_validator(entity: str, skip: tuple[str, ...] = ()):
    """Return a validator that checks each assigned value against the data dictionary.

    Every write path (demo, import, forms, API) goes through the ORM, so a value that breaks
    its field's rule never reaches the database, whatever path brought it.
    """
    names = [f.name for f in fields_for(entity) if f.name not in skip]

    @validates(*names)
    def _validate(self, key: str, value: object) -> object:
        return get_field(entity, key).clean(value)

    return _validate


class Timestamped:
    """Version and timestamps shared by every record of the register."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.current_timestamp(),
        onupdate=func.current_timestamp(),
    )


class Binnable:
    """Soft delete: a record in the bin keeps every value and is restorable.

    Reads never see it unless they ask (geo/register/bin.py).
    """

    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class Parcel(Binnable, Timestamped, Base):
    """A parcel of idle industrial land or of stock construction land."""

    __tablename__ = "parcels"
    __mapper_args__ = {"version_id_col": Timestamped.version}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    layer: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(20), index=True)
    park: Mapped[str | None] = mapped_column(String(20))
    area_m2: Mapped[float] = mapped_column(Float, nullable=False, index=True)
    registered_area: Mapped[float | None] = mapped_column(Float)
    registered_area_unit: Mapped[str | None] = mapped_column(String(3))
    ownership: Mapped[str | None] = mapped_column(String(20))
    holder: Mapped[str | None] = mapped_column(String(200))
    land_use: Mapped[str | None] = mapped_column(String(10))
    land_use_system: Mapped[str | None] = mapped_column(String(10))
    planned_use: Mapped[str | None] = mapped_column(String(10))
    planned_use_system: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    plot_ratio: Mapped[float | None] = mapped_column(Float)
    plot_ratio_min: Mapped[float | None] = mapped_column(Float)
    plot_ratio_max: Mapped[float | None] = mapped_column(Float)
    building_coefficient: Mapped[float | None] = mapped_column(Float)
    investment_intensity: Mapped[float | None] = mapped_column(Float)
    idle_cause: Mapped[str | None] = mapped_column(String(20))
    idle_since: Mapped[dt.date | None] = mapped_column(Date)
    disposal: Mapped[str | None] = mapped_column(String(20))
    disposal_deadline: Mapped[dt.date | None] = mapped_column(Date)
    power_kva: Mapped[float | None] = mapped_column(Float)
    water_t_per_day: Mapped[float | None] = mapped_column(Float)
    gas: Mapped[str | None] = mapped_column(String(3))
    rail: Mapped[str | None] = mapped_column(String(3))
    price: Mapped[float | None] = mapped_column(Float)
    std_investment_intensity: Mapped[float | None] = mapped_column(Float)
    std_plot_ratio_min: Mapped[float | None] = mapped_column(Float)
    std_building_coefficient: Mapped[float | None] = mapped_column(Float)
    disposal_plan: Mapped[str | None] = mapped_column(Text)
    agreed_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    # The supply register (令53 reads it: geo/idle_law.py; migration 0011).
    supervision_no: Mapped[str | None] = mapped_column(String(40))
    supply_method: Mapped[str | None] = mapped_column(String(20))
    contract_price: Mapped[float | None] = mapped_column(Float)
    contract_date: Mapped[dt.date | None] = mapped_column(Date)
    agreed_completion: Mapped[dt.date | None] = mapped_column(Date)
    developed_area_m2: Mapped[float | None] = mapped_column(Float)
    invested: Mapped[float | None] = mapped_column(Float)
    agreed_investment: Mapped[float | None] = mapped_column(Float)
    stopped_since: Mapped[dt.date | None] = mapped_column(Date)
    extra: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, nullable=False))

    buildings: Mapped[list[Building]] = relationship(
        back_populates="parcel", cascade="all, delete-orphan", order_by="Building.id"
    )
    _validate = dictionary_validator("parcel")


class Building(Timestamped, Base):
    """A factory building (厂房) standing on a parcel; idle ones can be offered to projects."""

    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), nullable=False, index=True)
    floor_area_m2: Mapped[float] = mapped_column(Float, nullable=False)
    storeys: Mapped[int | None] = mapped_column(Integer)
    span_m: Mapped[float | None] = mapped_column(Float)
    clear_height_m: Mapped[float | None] = mapped_column(Float)
    crane_t: Mapped[float | None] = mapped_column(Float)
    idle: Mapped[str | None] = mapped_column(String(3))

    parcel: Mapped[Parcel] = relationship(back_populates="buildings")
    _validate = dictionary_validator("building")


class Project(Binnable, Timestamped, Base):
    """A key project of the county's ledger, with its site once it has one."""

    __tablename__ = "projects"
    __mapper_args__ = {"version_id_col": Timestamped.version}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    industry: Mapped[str | None] = mapped_column(String(5))
    chain: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    total_investment: Mapped[float | None] = mapped_column(Float)
    land_demand_mu: Mapped[float | None] = mapped_column(Float)
    leader: Mapped[str | None] = mapped_column(String(50))
    lead_unit: Mapped[str | None] = mapped_column(String(100))
    town: Mapped[str | None] = mapped_column(String(20), index=True)
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    builder: Mapped[str | None] = mapped_column(String(200))
    nature: Mapped[str | None] = mapped_column(String(20))
    content: Mapped[str | None] = mapped_column(Text)
    # Yearly emissions (t/yr): held from the zone's quota while the project holds land.
    emission_so2: Mapped[float | None] = mapped_column(Float)
    emission_nox: Mapped[float | None] = mapped_column(Float)
    emission_pm: Mapped[float | None] = mapped_column(Float)
    emission_voc: Mapped[float | None] = mapped_column(Float)
    emission_cod: Mapped[float | None] = mapped_column(Float)
    emission_nh3n: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    site = mapped_column(Geometry("GEOMETRY", srid=STORAGE_SRID, nullable=True))

    parcel: Mapped[Parcel | None] = relationship()
    parcels: Mapped[list[Parcel]] = relationship(secondary=lambda: project_parcels,
                                                 order_by="Parcel.code")
    plan: Mapped[ProjectPlan | None] = relationship(
        back_populates="project", cascade="all, delete-orphan", uselist=False)
    annual_plans: Mapped[list[AnnualPlan]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="AnnualPlan.year")
    progress: Mapped[list[ProgressEntry]] = relationship(
        back_populates="project", cascade="all, delete-orphan",
        order_by="(ProgressEntry.date, ProgressEntry.id)")
    transitions: Mapped[list[Transition]] = relationship(
        back_populates="project", cascade="all, delete-orphan",
        order_by="(Transition.date, Transition.id)")
    _validate = dictionary_validator("project", skip=("parcel",))


# Every parcel a landed project holds; ``Project.parcel`` stays the main one. A parcel is
# held by one project at most: the unique index makes the database refuse a second, so two
# simultaneous landings cannot both win (geo/supply.py).
project_parcels = Table(
    "project_parcels", Base.metadata,
    Column("project_id", ForeignKey("projects.id"), primary_key=True),
    Column("parcel_id", ForeignKey("parcels.id"), primary_key=True),
    Index("ux_project_parcels_parcel", "parcel_id", unique=True),
)


class ProjectPlan(Timestamped, Base):
    """A project's planned nodes: signing, land delivery, start, completion, production."""

    __tablename__ = "project_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True,
                                            nullable=False)
    plan_sign: Mapped[dt.date | None] = mapped_column(Date)
    plan_land: Mapped[dt.date | None] = mapped_column(Date)
    plan_start: Mapped[dt.date | None] = mapped_column(Date)
    plan_complete: Mapped[dt.date | None] = mapped_column(Date)
    plan_production: Mapped[dt.date | None] = mapped_column(Date)

    project: Mapped[Project] = relationship(back_populates="plan")


class AnnualPlan(Timestamped, Base):
    """The investment a project plans to complete in one calendar year (万元)."""

    __tablename__ = "annual_plans"
    __table_args__ = (UniqueConstraint("project_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    planned_investment: Mapped[float] = mapped_column(Float, nullable=False)

    project: Mapped[Project] = relationship(back_populates="annual_plans")


class ProgressEntry(Timestamped, Base):
    """One dated progress report of the ledger (台账): investment, progress, problems."""

    __tablename__ = "progress_entries"
    # The ledger's latest-entry lookups (geo.ledger.decisive_progress; migration 0008).
    __table_args__ = (Index("ix_progress_entries_project_date", "project_id", "date", "id"),
                      Index("ix_progress_entries_project_percent", "project_id", "percent_done",
                            "date"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False,
                                            index=True)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    completed_investment: Mapped[float | None] = mapped_column(Float)
    percent_done: Mapped[float | None] = mapped_column(Float)
    status_text: Mapped[str | None] = mapped_column(String(500))
    problems: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(50), nullable=False)

    project: Mapped[Project] = relationship(back_populates="progress")


class Transition(Timestamped, Base):
    """One dated change of a project's stage: who made it, why, forward or put back."""

    __tablename__ = "project_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False,
                                            index=True)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    from_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    to_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    by: Mapped[str] = mapped_column(String(50), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="transitions")


class SupplyMove(Base):
    """One dated move of a parcel through its supply life (geo/supply.py): who, why, for whom."""

    __tablename__ = "supply_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), nullable=False, index=True)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    move: Mapped[str] = mapped_column(String(20), nullable=False)
    from_status: Mapped[str] = mapped_column(String(20), nullable=False)
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    by: Mapped[str] = mapped_column(String(80), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()
    )

    parcel: Mapped[Parcel] = relationship()
    project: Mapped[Project | None] = relationship()


class Offer(Timestamped, Base):
    """A parcel offered to a project (推介), and what the investor said: the offer log."""

    __tablename__ = "offers"
    __mapper_args__ = {"version_id_col": Timestamped.version}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), nullable=False, index=True)
    offered_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    feedback: Mapped[str | None] = mapped_column(String(2000))
    score: Mapped[float | None] = mapped_column(Float)

    project: Mapped[Project] = relationship()
    parcel: Mapped[Parcel] = relationship()
    # project and parcel are named by code in the dictionary, held as foreign keys here
    _validate = dictionary_validator("offer", skip=("project", "parcel"))


class ImportRun(Base):
    """One committed import: the file, its layer, and how its CRS and encoding were read."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    layer: Mapped[str] = mapped_column(String(10), nullable=False)
    crs: Mapped[str] = mapped_column(String(100), nullable=False)
    encoding: Mapped[str | None] = mapped_column(String(20))
    # The mapping used: {"columns": {column: field}, "values": [{column, field, source,
    # target, how, rows}]} (geo/importer/values.py); None for runs before migration 0013.
    mapping: Mapped[dict | None] = mapped_column(JSON)
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()
    )


class ParcelVersion(Base):
    """A parcel's state before an import replaced it: attributes and geometry as GeoJSON."""

    __tablename__ = "parcel_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    saved_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()
    )


class Boundary(Base):
    """A town's or park's outline as the bureau loaded it; a replaced one is kept, dated.

    The outline is GeoJSON text in EPSG:4490, not a spatial column: a county has a few dozen
    of them, read whole into shapely to locate parcels, so no query ever needs an index on
    them, and the same column works on SpatiaLite and PostGIS (docs/domain.md, boundaries).
    """

    __tablename__ = "boundaries"
    __table_args__ = (Index("ix_boundaries_kind_replaced", "kind", "replaced_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # towns | parks
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(200))
    geometry: Mapped[str] = mapped_column(Text, nullable=False)  # GeoJSON, EPSG:4490
    properties: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    source: Mapped[str] = mapped_column(String(255), nullable=False)  # the file's name
    crs: Mapped[str | None] = mapped_column(String(100))
    loaded_by: Mapped[str] = mapped_column(String(80), nullable=False)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    replaced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A member of staff who signs in: viewer (reads), editor (edits), admin (manages)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()
    )


class UserSession(Base):
    """One signed-in session of an account, kept server-side so that it can be ended.

    Only a hash of the session's token is stored: the token itself lives in the signed
    session cookie (docs/security.md).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RateLimitCounter(Base):
    """A rate-limit counter (webmap/ratelimit.py): its key, its hits, when its window ends."""

    __tablename__ = "rate_limits"

    bucket: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False, index=True)  # epoch s


class AuditRecord(Base):
    """One change to the register: who, when, what, and every changed value before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_code", "entity", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    user_name: Mapped[str] = mapped_column(String(80), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    entity: Mapped[str] = mapped_column(String(20), nullable=False)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    version: Mapped[int | None] = mapped_column(Integer)  # the record's version after the change
    changes: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    geom_before: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry
    geom_after: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


@event.listens_for(Session, "before_flush")
def _check_whole_records(session: Session, _context, _instances) -> None:
    """Refuse a parcel whose fields disagree (geo/record_rules.py), whatever path wrote it."""
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Parcel):
            check_parcel_object(obj)
            # 令53: the idle date follows from the contract, never from a typed date.
            derived = idle_from(Contract.of(obj))
            if obj.idle_since != derived:
                obj.idle_since = derived
