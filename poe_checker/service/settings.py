"""Service configuration from the environment (``POE_*``), built by a function, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POE_", env_ignore_empty=True, extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "poe-checker")
    """Holds the embedded SQLite database (and nothing else when PostgreSQL is used)."""
    database_url: str | None = None
    """e.g. ``postgresql+psycopg://user:pass@host/db``; unset means SQLite in ``data_dir``."""
    max_file_mb: int = Field(25, ge=1)
    max_package_mb: int = Field(100, ge=1)
    max_files: int = Field(30, ge=1)
    workers: int = Field(2, ge=1)
    """Checks run at once; each worker keeps its own isolated reader process."""
    check_seconds: float = Field(30.0, gt=0)
    """Time one document may take to read before it is reported as unreadable."""
    cookie_secure: bool = False
    """Force the Secure flag on the login cookie (it is set anyway when the request came over HTTPS)."""

    @field_validator("database_url")
    @classmethod
    def _driver(cls, url: str | None) -> str | None:
        # Plain postgres:// URLs (as hosting platforms hand them out) get the installed driver.
        if url and url.startswith(("postgres://", "postgresql://")):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'poe-checker.sqlite3'}"

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * MB

    @property
    def max_package_bytes(self) -> int:
        return self.max_package_mb * MB


def load_settings(**overrides) -> ServiceSettings:
    return ServiceSettings(**overrides)
