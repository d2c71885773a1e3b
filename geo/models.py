"""The register's tables: parcels (idle and stock land), their factory buildings, and projects."""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from geo.crs import STORAGE_SRID


class Base(DeclarativeBase):
    """Declarative base of every table."""


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


class Parcel(Timestamped, Base):
    """A parcel of idle industrial land or of stock construction land."""

    __tablename__ = "parcels"
    __mapper_args__ = {"version_id_col": Timestamped.version}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    layer: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(20), index=True)
    park: Mapped[str | None] = mapped_column(String(20))
    area_m2: Mapped[float] = mapped_column(Float, nullable=False)
    ownership: Mapped[str | None] = mapped_column(String(20))
    holder: Mapped[str | None] = mapped_column(String(200))
    land_use: Mapped[str | None] = mapped_column(String(10))
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
    extra: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, nullable=False))
    # Soft delete: a deleted parcel goes to the bin, hidden from every read, restorable.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    buildings: Mapped[list[Building]] = relationship(
        back_populates="parcel", cascade="all, delete-orphan", order_by="Building.id"
    )


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


class Project(Timestamped, Base):
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
    extra: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    site = mapped_column(Geometry("GEOMETRY", srid=STORAGE_SRID, nullable=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    parcel: Mapped[Parcel | None] = relationship()


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
