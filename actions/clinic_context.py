"""The clinic settings, loaded once per action-server process."""
from functools import lru_cache

from clinic.settings import ClinicSettings, load_settings


@lru_cache(maxsize=1)
def clinic_settings() -> ClinicSettings:
    """Settings from $CLINIC_SETTINGS or clinic.yml; raises SettingsError if the file is bad."""
    return load_settings()
