"""How the clinic's optional price list from the settings reads in a chat answer."""

from typing import Optional

from clinic.settings import ClinicSettings


def describe_prices(settings: ClinicSettings) -> Optional[str]:
    """ "Item: price; Item: price", or None when the settings list no prices."""
    if not settings.prices:
        return None
    return "; ".join(f"{entry.item}: {entry.price}" for entry in settings.prices)
