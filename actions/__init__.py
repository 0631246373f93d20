"""Custom actions of the clinic assistant. Thin glue between Rasa and the `clinic` package.

Importing this package (which `rasa run actions` does right after creating its web app)
installs the action-server token check and a safe error handler, and loads the clinic
settings, so a bad settings file stops the action server at start instead of surfacing in a
visitor's chat. The reports' severity model is trained in the background meanwhile, so the
first report after a start does not wait for it.
"""

import threading

from actions.clinic_context import clinic_settings
from actions.security import install_safe_errors, install_token_check
from clinic import severity

install_token_check()
install_safe_errors()
clinic_settings()
threading.Thread(target=severity.warm_up, name="severity-warm-up", daemon=True).start()
