"""Custom actions of the clinic assistant. Thin glue between Rasa and the `clinic` package.

Importing this package (which `rasa run actions` does right after creating its web app)
installs the action-server token check and a safe error handler, and loads the clinic
settings, so a bad settings file stops the action server at start instead of surfacing in a
visitor's chat.
"""

from actions.clinic_context import clinic_settings
from actions.security import install_safe_errors, install_token_check

install_token_check()
install_safe_errors()
clinic_settings()
